# SYNTAX TEST "source.python" "implicit concatenation, +, parentheses, line continuation"
table.query(KeyConditionExpression="pk = :pk " "AND sk > :sk")
#                                        ^^^ variable.parameter.expression-value.dynamodb
#                                               ^^^ keyword.operator.logical.dynamodb
#                                                        ^^^ variable.parameter.expression-value.dynamodb
table.update_item(Key=k, UpdateExpression="SET a = :a, " + "b = :b")
#                                          ^^^ keyword.control.dynamodb
#                                                        ^ keyword.operator.arithmetic.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                               ^^ variable.parameter.expression-value.dynamodb
table.update_item(Key=k, UpdateExpression="SET " + ", ".join(parts), ReturnValues="ALL_NEW")
#                                          ^^^ keyword.control.dynamodb
#                                                       ^^^^ meta.function-call.generic.python
#                                                                                 ^^^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb

resp = table.query(
    IndexName="by-owner",
#             ^^^^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
    KeyConditionExpression=(
#                          ^ punctuation.parenthesis.begin.python
        "owner_id = :owner "  # the partition key
#                   ^^^^^^ variable.parameter.expression-value.dynamodb
#                             ^ comment.line.number-sign.python punctuation.definition.comment.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
        'AND begins_with(sk, :prefix)'
#        ^^^ string.quoted.single.python meta.expression.dynamodb keyword.operator.logical.dynamodb
#            ^^^^^^^^^^^ support.function.dynamodb
        f" AND #s = {status!r}"
#          ^^^ keyword.operator.logical.dynamodb
#              ^^ variable.other.expression-name.dynamodb
#                   ^ constant.character.format.placeholder.other.python
    ),
#   ^ punctuation.parenthesis.end.python
#    ^ punctuation.separator.arguments.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
    FilterExpression=(
#   ^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
        """
#       ^^^ punctuation.definition.string.begin.python
        #deleted <> :true
#       ^^^^^^^^ variable.other.expression-name.dynamodb
#                ^^ keyword.operator.comparison.dynamodb
        """
#       ^^^ punctuation.definition.string.end.python
        " OR attribute_not_exists(#deleted)"
#         ^^ keyword.operator.logical.dynamodb
#            ^^^^^^^^^^^^^^^^^^^^ support.function.dynamodb
    ),
    ScanIndexForward=False,
#                    ^^^^^ constant.language.python
    ProjectionExpression="pk, sk, #s",
#                                 ^^ variable.other.expression-name.dynamodb
    ExpressionAttributeValues={":owner": owner, ":prefix": "ORDER#", ":true": True},
#                              ^^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                          ^^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
    ExpressionAttributeNames={"#s": "status", "#deleted": "deleted"},
#                             ^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                   ^^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
)
# <- punctuation.definition.arguments.end.python
not_an_expression = "SET a = :a"
#                    ^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb

table.scan(FilterExpression="a = :a " \
#                                     ^ punctuation.separator.continuation.line.python
           "AND b = :b")
#           ^^^ keyword.operator.logical.dynamodb
#                   ^^ variable.parameter.expression-value.dynamodb
x = "AND"
#    ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb

table.scan(FilterExpression=expr,
#                           ^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
           Select="SET x")
#                  ^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.scan(
    FilterExpression=Attr("owner").eq(user) & Attr("kind").is_in(["SET", "ADD"]),
#                         ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                                 ^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                           ^ keyword.operator.bitwise.python
    ConsistentRead=True)
#   ^^^^^^^^^^^^^^ variable.parameter.function-call.python
table.query(KeyConditionExpression=Key("pk").eq(pk) & Key("sk").begins_with("ORDER#"), Limit=5)
#                                      ^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                               ^^^^^^^^^^^ meta.function-call.generic.python - support.function.dynamodb
#                                                                           ^^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                                                            ^ constant.numeric.dec.python
