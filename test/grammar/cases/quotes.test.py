# SYNTAX TEST "source.python" "quote styles, prefixes, escapes, multi-line strings"
table.query(KeyConditionExpression="pk = :pk")
#                                   ^^ meta.expression.dynamodb
#                                        ^^^ variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression='pk = :pk')
#                                  ^ string.quoted.single.python punctuation.definition.string.begin.python
#                                        ^^^ variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression = "pk = :pk")
#           ^^^^^^^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                                  ^ keyword.operator.assignment.python
#                                          ^^^ variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=u"pk = :pk")
#                                  ^ storage.type.string.python
#                                         ^^^ string.quoted.single.python variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=R"pk = :pk")
#                                  ^ storage.type.string.python
#                                         ^^^ string.quoted.raw.single.python variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=r"pk = :pk")
#                                  ^^ - string.regexp.quoted.single.python
#                                         ^^^ string.quoted.raw.single.python variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=f"{pk_name} = :pk")
#                                  ^ storage.type.string.python
#                                    ^ constant.character.format.placeholder.other.python
#                                            ^ constant.character.format.placeholder.other.python
#                                              ^ keyword.operator.comparison.dynamodb
#                                                ^^^ meta.fstring.python string.interpolated.python variable.parameter.expression-value.dynamodb
table.update_item(Key=k, UpdateExpression=F"SET {{braces}} = :v, #{name} = :w")
#                                           ^^^ keyword.control.dynamodb
#                                               ^^ constant.character.escape.python
#                                                                 ^ constant.character.format.placeholder.other.python
#                                                                  ^^^^ - variable.other.expression-name.dynamodb
#                                                                      ^ constant.character.format.placeholder.other.python
#                                                                          ^^ variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=rf"{pk_name} = :pk AND sk = :sk")
#                                  ^^ storage.type.string.python
#                                                     ^^^ keyword.operator.logical.dynamodb
#                                                              ^^^ string.quoted.raw.single.python variable.parameter.expression-value.dynamodb
table.query(KeyConditionExpression=Fr"{pk_name} = :pk")
#                                  ^^ storage.type.string.python
#                                                 ^^^ variable.parameter.expression-value.dynamodb
table.scan(FilterExpression="#a = :a AND \"quoted\" = :b\tOR b = :c")
#                                        ^^ constant.character.escape.python
#                                                       ^^ constant.character.escape.python
#                                                         ^^ keyword.operator.logical.dynamodb
#                                                                ^^ variable.parameter.expression-value.dynamodb
table.scan(FilterExpression='it\'s = :a', Select='COUNT')
#                              ^^ constant.character.escape.python
#                                    ^^ variable.parameter.expression-value.dynamodb
#                                                ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.scan(FilterExpression="a = :a" if flag else "b = :b")
#                                ^^ variable.parameter.expression-value.dynamodb
#                                    ^^ keyword.control.flow.python
#                                                      ^^ variable.parameter.expression-value.dynamodb
table.scan(FilterExpression="{} = :v".format(attr))
#                            ^^ constant.character.format.placeholder.other.python
#                                 ^^ variable.parameter.expression-value.dynamodb
#                                     ^^^^^^ meta.function-call.generic.python - meta.expression.dynamodb meta.statement.partiql.dynamodb

table.update_item(Key=key, UpdateExpression="""
#                                           ^^^ string.quoted.multi.python punctuation.definition.string.begin.python
    SET #n = :n,
#   ^^^ string.quoted.multi.python meta.expression.dynamodb keyword.control.dynamodb
#       ^^ variable.other.expression-name.dynamodb
#            ^^ variable.parameter.expression-value.dynamodb
        updated_at = :now
#                  ^ keyword.operator.comparison.dynamodb
#                    ^^^^ variable.parameter.expression-value.dynamodb
    remove legacy
#   ^^^^^^ keyword.control.dynamodb
""", ConditionExpression='''attribute_exists(pk)
# <--- punctuation.definition.string.end.python - meta.expression.dynamodb
#    ^^^^^^^^^^^^^^^^^^^ variable.parameter.function-call.python
#                        ^^^ string.quoted.multi.python punctuation.definition.string.begin.python
#                           ^^^^^^^^^^^^^^^^ support.function.dynamodb
    and version = :v''')
#   ^^^ keyword.operator.logical.dynamodb
#                 ^^ variable.parameter.expression-value.dynamodb
#                   ^^^ punctuation.definition.string.end.python
#                      ^ punctuation.definition.arguments.end.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
after = "SET x = :y"
#        ^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                ^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb

table.scan(FilterExpression=R"""a = :a
#                           ^ storage.type.string.python
#                                   ^^ string.quoted.raw.multi.python variable.parameter.expression-value.dynamodb
    OR b = :b""")
#   ^^ keyword.operator.logical.dynamodb
#          ^^ variable.parameter.expression-value.dynamodb
table.scan(FilterExpression=f"""#{n} = :a
#                                ^ constant.character.format.placeholder.other.python
#                                      ^^ variable.parameter.expression-value.dynamodb
    AND b = :b""")
#   ^^^ keyword.operator.logical.dynamodb
#           ^^ meta.fstring.python variable.parameter.expression-value.dynamodb

# an unterminated single-quoted string stops at the end of its line, as in Python:
table.query(KeyConditionExpression="pk = :pk
#                                        ^^^ variable.parameter.expression-value.dynamodb
x = "SET a = :b"
#    ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
# <- - string.quoted.single.python meta.expression.dynamodb
# ^ keyword.operator.assignment.python
