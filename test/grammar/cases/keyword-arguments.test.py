# SYNTAX TEST "source.python" "boto3 keyword arguments: each expression parameter"
import boto3

table = boto3.resource("dynamodb").Table("users")

resp = table.query(KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)")
#                  ^^^^^^^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                        ^ keyword.operator.assignment.python
#                                         ^ string.quoted.single.python punctuation.definition.string.begin.python
#                                          ^^^ string.quoted.single.python meta.expression.dynamodb
#                                             ^ keyword.operator.comparison.dynamodb
#                                               ^^^ variable.parameter.expression-value.dynamodb
#                                               ^ punctuation.definition.variable.dynamodb
#                                                   ^^^ keyword.operator.logical.dynamodb
#                                                   ^^^ keyword.operator.wordlike.dynamodb
#                                                       ^^^^^^^^^^^ support.function.dynamodb
#                                                                  ^ punctuation.section.parens.begin.dynamodb
#                                                                     ^ punctuation.separator.comma.dynamodb
#                                                                       ^^^^^^^ variable.parameter.expression-value.dynamodb
#                                                                              ^ punctuation.section.parens.end.dynamodb
#                                                                               ^ string.quoted.single.python punctuation.definition.string.end.python - meta.expression.dynamodb
#                                                                                ^ punctuation.definition.arguments.end.python - meta.expression.dynamodb
items = table.scan(FilterExpression='#st <> :closed OR attribute_not_exists(#st)')['Items']
#                  ^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                   ^ punctuation.definition.string.begin.python
#                                    ^^^ variable.other.expression-name.dynamodb
#                                    ^ punctuation.definition.variable.dynamodb
#                                        ^^ keyword.operator.comparison.dynamodb
#                                           ^^^^^^^ variable.parameter.expression-value.dynamodb
#                                                   ^^ keyword.operator.logical.dynamodb
#                                                      ^^^^^^^^^^^^^^^^^^^^ support.function.dynamodb
#                                                                           ^^^ variable.other.expression-name.dynamodb
#                                                                                  ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk) AND NOT contains(tags, :t)")
#              ^^^^ variable.parameter.function-call.python
#                         ^^^^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                              ^^^^^^^^^^^^^^^^^^^^ support.function.dynamodb
#                                                                       ^^^ keyword.operator.logical.dynamodb
#                                                                           ^^^ keyword.operator.logical.dynamodb
#                                                                               ^^^^^^^^ support.function.dynamodb
#                                                                                              ^^ variable.parameter.expression-value.dynamodb
table.update_item(Key={"pk": pk}, UpdateExpression="SET #n = :n, hits = if_not_exists(hits, :zero) + :one")
#                      ^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                 ^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                                   ^^^ keyword.control.dynamodb
#                                                       ^^ variable.other.expression-name.dynamodb
#                                                                     ^ keyword.operator.comparison.dynamodb
#                                                            ^^ variable.parameter.expression-value.dynamodb
#                                                                       ^^^^^^^^^^^^^ support.function.dynamodb
#                                                                                                  ^ keyword.operator.arithmetic.dynamodb
#                                                                                                    ^^^^ variable.parameter.expression-value.dynamodb
table.update_item(Key=key, UpdateExpression="REMOVE tags[0], old ADD visits :inc DELETE colors :c")
#                                            ^^^^^^ keyword.control.dynamodb
#                                                       ^ punctuation.section.brackets.begin.dynamodb
#                                                        ^ constant.numeric.integer.dynamodb
#                                                         ^ punctuation.section.brackets.end.dynamodb
#                                                                ^^^ keyword.control.dynamodb
#                                                                           ^^^^ variable.parameter.expression-value.dynamodb
#                                                                                ^^^^^^ keyword.control.dynamodb
table.update_item(Key=key, UpdateExpression="SET items = list_append(items, :new), n = n - :d")
#                                                        ^^^^^^^^^^^ support.function.dynamodb
#                                                                                        ^ keyword.operator.arithmetic.dynamodb
table.get_item(Key=key, ProjectionExpression="pk, #name, address.city, size")
#                       ^^^^^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                               ^ punctuation.separator.comma.dynamodb
#                                                 ^^^^^ variable.other.expression-name.dynamodb
#                                                               ^ punctuation.accessor.dynamodb
#                                                                      ^^^^ meta.expression.dynamodb - support.function.dynamodb
table.scan(FilterExpression="size(tags) > :n AND attribute_type(#d, :t) AND score BETWEEN :lo AND :hi")
#                            ^^^^ support.function.dynamodb
#                                       ^ keyword.operator.comparison.dynamodb
#                                                ^^^^^^^^^^^^^^ support.function.dynamodb
#                                                                                 ^^^^^^^ keyword.operator.comparison.dynamodb
#                                                                                 ^^^^^^^ keyword.operator.wordlike.dynamodb
#                                                                                         ^^^ variable.parameter.expression-value.dynamodb
#                                                                                                 ^^^ variable.parameter.expression-value.dynamodb
table.scan(FilterExpression="kind IN (:a, :b) AND n >= :min AND n <= :max AND m < :x AND m > :y")
#                                 ^^ keyword.operator.comparison.dynamodb
#                                 ^^ keyword.operator.wordlike.dynamodb
#                                                   ^^ keyword.operator.comparison.dynamodb
#                                                                 ^^ keyword.operator.comparison.dynamodb
#                                                                               ^ keyword.operator.comparison.dynamodb
#                                                                                          ^ keyword.operator.comparison.dynamodb
params = dict(TableName="users", FilterExpression="#a = :a")
#                       ^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                  ^^ variable.other.expression-name.dynamodb
UpdateExpression = "SET a = :a"
# <---------------- variable.parameter.function-call.python
#                   ^^^ string.quoted.single.python meta.expression.dynamodb keyword.control.dynamodb
UpdateExpression += " REMOVE b"
#                     ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
async def fetch(table):
# <----- storage.type.function.async.python
#     ^^^ storage.type.function.python
    return await table.query(KeyConditionExpression="pk = :pk")
#          ^^^^^ keyword.control.flow.python
#                                                         ^^^ variable.parameter.expression-value.dynamodb

def handler(event, context):
# <--- storage.type.function.python
#   ^^^^^^^ entity.name.function.python
    return table.query(KeyConditionExpression="pk = :pk", Limit=10)
#   ^^^^^^ keyword.control.flow.python
#                                                         ^^^^^ variable.parameter.function-call.python
#                                                               ^^ constant.numeric.dec.python
