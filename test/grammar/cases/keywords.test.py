# SYNTAX TEST "source.python" "keyword case, word boundaries, function-name case, invalid operators"
table.update_item(Key=k, UpdateExpression="set a = :a remove b add c :c delete d :d")
#                                          ^^^ keyword.control.dynamodb
#                                                     ^^^^^^ keyword.control.dynamodb
#                                                              ^^^ keyword.control.dynamodb
#                                                                       ^^^^^^ keyword.control.dynamodb
table.scan(FilterExpression="a = :a and b = :b Or not c BeTwEeN :x AnD :y")
#                                   ^^^ keyword.operator.logical.dynamodb
#                                              ^^ keyword.operator.logical.dynamodb
#                                                 ^^^ keyword.operator.logical.dynamodb
#                                                       ^^^^^^^ keyword.operator.comparison.dynamodb
#                                                                  ^^^ keyword.operator.logical.dynamodb
table.update_item(Key=k, UpdateExpression="SET settings = :s, #set = :a, a.delete = :b, reset = :c, added_at = :d")
#                                              ^^^^^^^^ - keyword.control.dynamodb
#                                                             ^^^^ variable.other.expression-name.dynamodb - keyword.control.dynamodb
#                                                                          ^^^^^^ - keyword.control.dynamodb
#                                                                                       ^^^^^ - keyword.control.dynamodb
#                                                                                                   ^^^^^^^^ - keyword.control.dynamodb
table.update_item(Key=k, UpdateExpression="SET a = :set, b = :and, my_and = :or")
#                                                  ^^^^ variable.parameter.expression-value.dynamodb - keyword.control.dynamodb
#                                                            ^^^^ variable.parameter.expression-value.dynamodb - keyword.operator.logical.dynamodb
#                                                                  ^^^^^^ - keyword.operator.logical.dynamodb
table.update_item(Key=k, UpdateExpression="SET a = :a\nREMOVE b\tADD c :c")
#                                                    ^^ constant.character.escape.python
#                                                      ^^^^^^ keyword.control.dynamodb
#                                                                ^^^ keyword.control.dynamodb
table.scan(FilterExpression="BEGINS_WITH(a, :p) OR Contains(b, :q) OR begins_with (c, :r)")
#                            ^^^^^^^^^^^ - support.function.dynamodb
#                                                  ^^^^^^^^ - support.function.dynamodb
#                                                                     ^^^^^^^^^^^ support.function.dynamodb
table.scan(FilterExpression="a != :a OR b == :b OR c <> :c")
#                              ^^ invalid.illegal.operator.dynamodb
#                                         ^^ invalid.illegal.operator.dynamodb
#                                                    ^^ keyword.operator.comparison.dynamodb - invalid.illegal.operator.dynamodb
table.query(KeyConditionExpression="#pk = :pk", ExpressionAttributeNames={"#pk": "pk"})
#                                   ^^^ variable.other.expression-name.dynamodb
#                                                                         ^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.get_item(Key=k, ProjectionExpression="#1, a_b, x.y[12].z")
#                                           ^^ variable.other.expression-name.dynamodb
#                                               ^^^ meta.expression.dynamodb - variable.other.expression-name.dynamodb
#                                                        ^^ constant.numeric.integer.dynamodb
