import { reportIssues } from '../expr/ruleSupport';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG404',
    name: 'expression-syntax',
    defaultSeverity: 'error',
    summary: 'An expression DynamoDB\'s grammar rejects: a syntax error, a misplaced function or operator, a malformed key condition or update.',
    cwe: ['CWE-20'],
    owasp: [],
    fixable: false,
    docs: {
      whatItDoes: 'Parses every string expression of a DynamoDB request with a real parser of DynamoDB\'s four expression grammars (condition/filter, key condition, update, projection) and reports what DynamoDB would reject, on the offending token: syntax errors (`SET a = :a b = :b`, `a == :v`, a keyword used as a name), unknown or misspelt functions (`begins_With`, `attribute_exist`) and wrong operand counts, a condition function used as a value or `size()` used as a condition, redundant double parentheses, an attribute compared with itself; in a key condition `OR`, `NOT`, `<>`, `IN`, `contains` and the other non-key functions, nested attributes, more than two conditions, the same key twice, no equality on the partition key (checked against the table\'s key schema when a `create_table` call shows it); in an update expression a clause used twice (`SET ... SET ...`) and two actions on overlapping paths (`SET a.b = :v REMOVE a`, also through `#names`); overlapping paths in a projection. When the table\'s key schema is known (and no index is queried): a Query `FilterExpression` on a key attribute, a path into a key attribute (`pk.x`), an update of a key attribute. Calls in module-level code and class bodies (scripts, notebook cells, `if __name__ == "__main__":` blocks) are checked like calls in functions.',
      whyIsThisBad: 'DynamoDB validates the whole expression before doing anything and answers `ValidationException` (`Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR`, `Two document paths overlap with each other`...). The endpoint fails on every call; a key condition that tried to express an ownership rule with `OR`/`contains` is a design error that needs a different key or index, not a tweak.',
      example: 'resp = table.query(\n    KeyConditionExpression="user_id = :uid AND contains(tags, :tag)",\n    ExpressionAttributeValues={":uid": user.id, ":tag": tag},\n)',
      useInstead: 'resp = table.query(\n    KeyConditionExpression="user_id = :uid",\n    FilterExpression="contains(tags, :tag)",\n    ExpressionAttributeValues={":uid": user.id, ":tag": tag},\n)',
      fixSafety: 'No fix: the right rewrite depends on what the expression was meant to do.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html',
      ],
    },
  },
  messages: {
    invalid: 'Invalid {{expression}}: {{detail}}. DynamoDB rejects the request (ValidationException).',
  },
  check(context) {
    reportIssues(context, 'DG404');
  },
};

export default rule;
