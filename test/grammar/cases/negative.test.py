# SYNTAX TEST "source.python" "leaves ordinary Python alone"
"""Module docstring: KeyConditionExpression="pk = :pk" is not code here."""
#                    ^^^^^^^^^^^^^^^^^^^^^^ string.quoted.docstring.multi.python - variable.parameter.function-call.python
#                                                 ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
import boto3
# <------ keyword.control.import.python
# table.query(KeyConditionExpression="pk = :pk")
#                                          ^^^ comment.line.number-sign.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
message = "SET x = :y AND attribute_exists(z)"
#          ^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                         ^^^^^^^^^^^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
other = 'REMOVE a'
#        ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
sql = """
#     ^^^ string.quoted.multi.python
SELECT * FROM t WHERE a = ?
# <------ - meta.expression.dynamodb meta.statement.partiql.dynamodb
#                         ^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
"""
if KeyConditionExpression == "pk = :pk":
# <-- keyword.control.flow.python
#                         ^^ keyword.operator.comparison.python
#                                  ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
    log("FilterExpression='a = :a'")
#                              ^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
print(f"UpdateExpression={expr!r}", "SET a = :a")
#       ^^^^^^^^^^^^^^^^ - variable.parameter.function-call.python
#                                    ^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
table.query(IndexName="SET", Select="ALL_ATTRIBUTES")
#                     ^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
Statements = "SELECT"
#             ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
statement = "SELECT * FROM t"
#            ^^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
def build(KeyConditionExpression=None, x="SET a"):
#         ^^^^^^^^^^^^^^^^^^^^^^ variable.parameter.function.language.python
#                                ^^^^ constant.language.python
#                                    ^ punctuation.separator.parameters.python
#                                        ^^^^^^^ string.quoted.single.python - meta.expression.dynamodb meta.statement.partiql.dynamodb
    return {"ConditionExpression": cond} if cond else {"x": "AND"}
#   ^^^^^^ keyword.control.flow.python
#                                        ^^ keyword.control.flow.python
#                                                           ^^^^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
class Query:
# <----- storage.type.class.python
#     ^^^^^ entity.name.type.class.python
    FilterExpression: str = "a = :a"
#                                ^^ - meta.expression.dynamodb meta.statement.partiql.dynamodb
