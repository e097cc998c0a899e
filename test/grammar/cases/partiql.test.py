# SYNTAX TEST "source.python" "PartiQL: Statement= keyword arguments and Statement dict entries"
client.execute_statement(Statement='SELECT * FROM "users" WHERE pk = ? AND sk IS NOT MISSING', Parameters=params)
#                        ^^^^^^^^^ variable.parameter.function-call.python
#                                   ^^^^^^ string.quoted.single.python meta.statement.partiql.dynamodb keyword.control.dynamodb
#                                          ^ variable.language.wildcard.dynamodb
#                                            ^^^^ keyword.control.dynamodb
#                                                 ^^^^^^^ variable.other.quoted-identifier.dynamodb
#                                                 ^ punctuation.definition.identifier.begin.dynamodb
#                                                         ^^^^^ keyword.control.dynamodb
#                                                                  ^ keyword.operator.comparison.dynamodb
#                                                                    ^ variable.parameter.positional.dynamodb
#                                                                      ^^^ keyword.operator.logical.dynamodb
#                                                                             ^^ keyword.operator.comparison.dynamodb
#                                                                             ^^ keyword.operator.wordlike.dynamodb
#                                                                                ^^^ keyword.operator.logical.dynamodb
#                                                                                    ^^^^^^^ constant.language.dynamodb
#                                                                                              ^^^^^^^^^^ variable.parameter.function-call.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
client.execute_statement(Statement="select * from \"users\".\"by-email\" where email = ? and age >= 18")
#                                   ^^^^^^ keyword.control.dynamodb
#                                            ^^^^ keyword.control.dynamodb
#                                                 ^^^^^^^^^ variable.other.quoted-identifier.dynamodb
#                                                 ^^ punctuation.definition.identifier.begin.dynamodb - constant.character.escape.python
#                                                          ^ punctuation.accessor.dynamodb
#                                                                        ^^^^^ keyword.control.dynamodb
#                                                                                        ^^^ keyword.operator.logical.dynamodb
#                                                                                                ^^ keyword.operator.comparison.dynamodb
#                                                                                                   ^^ constant.numeric.dynamodb
client.execute_statement(Statement="UPDATE users SET visits = visits + 1 REMOVE legacy WHERE pk = 'u#1' RETURNING ALL NEW *")
#                                   ^^^^^^ keyword.control.dynamodb
#                                                ^^^ keyword.control.dynamodb
#                                                                    ^ keyword.operator.arithmetic.dynamodb
#                                                                      ^ constant.numeric.dynamodb
#                                                                        ^^^^^^ keyword.control.dynamodb
#                                                                                                 ^^^^^ string.quoted.single.dynamodb - variable.other.expression-name.dynamodb
#                                                                                                       ^^^^^^^^^^^^^^^^^ keyword.control.dynamodb
client.execute_statement(Statement="INSERT INTO users VALUE {'pk': ?, 'tags': <<?, ?>>, 'n': [1, 2]}")
#                                   ^^^^^^ keyword.control.dynamodb
#                                          ^^^^ keyword.control.dynamodb
#                                                     ^^^^^ keyword.control.dynamodb
#                                                           ^ punctuation.definition.tuple.begin.dynamodb
#                                                            ^^^^ string.quoted.single.dynamodb
#                                                                ^ punctuation.separator.key-value.dynamodb
#                                                                             ^^ punctuation.definition.bag.begin.dynamodb
#                                                                                   ^^ punctuation.definition.bag.end.dynamodb
#                                                                                            ^ punctuation.definition.list.begin.dynamodb
#                                                                                                  ^ punctuation.definition.tuple.end.dynamodb
client.execute_statement(Statement=f"DELETE FROM {table} WHERE pk = ? AND begins_with(sk, ?) AND EXISTS(x)")
#                                    ^^^^^^ keyword.control.dynamodb
#                                                ^ constant.character.format.placeholder.other.python
#                                                                         ^^^^^^^^^^^ support.function.dynamodb
#                                                                                                ^^^^^^ support.function.dynamodb
client.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE pk = '{pk}' AND n = ?")
#                                                    ^ constant.character.format.placeholder.other.python
#                                                  ^^ constant.character.escape.python
#                                                                          ^ constant.character.format.placeholder.other.python
#                                                                           ^^ - string.quoted.single.dynamodb
#                                                                                        ^ variable.parameter.positional.dynamodb
client.execute_statement(Statement="SELECT a FROM t WHERE contains(tags, ?) OR size(s) > 2 OR attribute_type(a, 'S') ORDER BY sk DESC")
#                                                         ^^^^^^^^ support.function.dynamodb
#                                                                              ^^^^ support.function.dynamodb
#                                                                                             ^^^^^^^^^^^^^^ support.function.dynamodb
#                                                                                                                    ^^^^^^^^ keyword.control.dynamodb
#                                                                                                                                ^^^^ keyword.control.dynamodb
client.execute_statement(Statement="SELECT a FROM t WHERE n / 2 > ? OR s || \'x\' = ?")
#                                                           ^ keyword.operator.arithmetic.dynamodb
#                                                                        ^^ keyword.operator.arithmetic.dynamodb
#                                                                           ^^^^^ string.quoted.single.dynamodb
client.execute_statement(Statement="SELECT a FROM t WHERE a <> ? AND b != ? AND c == ?")
#                                                           ^^ keyword.operator.comparison.dynamodb
#                                                                      ^^ keyword.operator.comparison.dynamodb
#                                                                                 ^^ invalid.illegal.operator.dynamodb
client.execute_statement(Statement="""
#                                  ^^^ punctuation.definition.string.begin.python
    SELECT "name" FROM "users"
#   ^^^^^^ keyword.control.dynamodb
#          ^^^^^^ variable.other.quoted-identifier.dynamodb
    WHERE pk = ? AND note = 'it''s'
#              ^ variable.parameter.positional.dynamodb
#                           ^^^^ string.quoted.single.dynamodb
""")
# <--- punctuation.definition.string.end.python - meta.statement.partiql.dynamodb
client.batch_execute_statement(Statements=[
    {"Statement": "UPDATE users SET n = ? WHERE pk = ?", "Parameters": [{"N": "1"}]},
#     ^^^^^^^^^ string.quoted.single.python - meta.statement.partiql.dynamodb
#                  ^^^^^^ string.quoted.single.python meta.statement.partiql.dynamodb keyword.control.dynamodb
#                                                    ^ variable.parameter.positional.dynamodb
#                                                        ^^^^^^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                                             ^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
    {'Statement': 'DELETE FROM users WHERE pk = ?'},
#                  ^^^^^^ keyword.control.dynamodb
#                                               ^ variable.parameter.positional.dynamodb
])
client.execute_transaction(TransactStatements=[{"Statement": stmt, "Parameters": p}])
#                                                            ^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:Query"}]}
#                                  ^^^^^^^^^^^ string.quoted.single.python
#                                                           ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                                                                              ^^^^^^^^^^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.query(KeyConditionExpression="pk = ?")
#                                        ^ - variable.parameter.positional.dynamodb
client.execute_statement(Statement="SELECT * FROM t WHERE a = :a")
#                                   ^^^^^^ keyword.control.dynamodb
#                                                             ^^ - variable.parameter.expression-value.dynamodb
