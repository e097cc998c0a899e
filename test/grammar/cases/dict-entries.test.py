# SYNTAX TEST "source.python" "dict entries: transact_write_items, batch statements, **kwargs"
client.transact_write_items(TransactItems=[
    {"ConditionCheck": {"TableName": "users", "Key": key,
#                                    ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
                        "ConditionExpression": "attribute_exists(pk) AND #r = :admin"}},
#                       ^ punctuation.definition.string.begin.python
#                        ^^^^^^^^^^^^^^^^^^^ string.quoted.single.python - meta.expression.dynamodb
#                                           ^ punctuation.definition.string.end.python
#                                            ^ punctuation.separator.dict.python
#                                               ^^^^^^^^^^^^^^^^ string.quoted.single.python meta.expression.dynamodb support.function.dynamodb
#                                                                        ^^ variable.other.expression-name.dynamodb
#                                                                             ^^^^^^ variable.parameter.expression-value.dynamodb
#                                                                                    ^^ punctuation.definition.dict.end.python
    {'Update': {'Key': key, 'UpdateExpression': 'SET balance = balance - :amt',
#               ^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                ^^^ keyword.control.dynamodb
#                                                                      ^ keyword.operator.arithmetic.dynamodb
#                                                                        ^^^^ variable.parameter.expression-value.dynamodb
                'ConditionExpression': 'balance >= :amt'}},
#                                               ^^ keyword.operator.comparison.dynamodb
    {"Put": {"Item": item, "ConditionExpression": (
#            ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
        "attribute_not_exists(pk) "
#        ^^^^^^^^^^^^^^^^^^^^ support.function.dynamodb
        "OR #v < :v"
#        ^^ keyword.operator.logical.dynamodb
#              ^ keyword.operator.comparison.dynamodb
    )}},
])
params = {"KeyConditionExpression": "pk = :pk", "Limit": 10}
#                                         ^^^ variable.parameter.expression-value.dynamodb
#                                                        ^^ constant.numeric.dec.python
params["FilterExpression"] = "a = :a"
#                             ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.query(**params, FilterExpression="n > :n")
#           ^^ keyword.operator.unpacking.arguments.python
#                                         ^ keyword.operator.comparison.dynamodb
labels = {"ConditionExpressionHelp": "SET a", "MyKeyConditionExpression": "AND"}
#                                     ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                                          ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
lookup = {"FilterExpression" "x": "SET a"}
#                                  ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
