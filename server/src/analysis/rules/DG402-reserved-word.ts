import { reservedWordFix } from '../expr/exprFixes';
import { reportIssues } from '../expr/ruleSupport';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG402',
    name: 'reserved-word',
    defaultSeverity: 'error',
    summary: 'An attribute name written bare in an expression is a DynamoDB reserved word: the request is rejected.',
    cwe: ['CWE-20'],
    owasp: [],
    fixable: true,
    docs: {
      whatItDoes: 'Parses every string expression a DynamoDB call sends (`KeyConditionExpression`, `FilterExpression`, `ConditionExpression`, `UpdateExpression`, `ProjectionExpression`; boto3 resource and client calls, `**params` dicts, `transact_write_items` / `transact_get_items` entries and `batch_get_item` request items) and flags each attribute name written bare in a document path (`status`, `data`, `a.name`, `items[0].count`) that is on DynamoDB\'s list of 573 reserved words. The expression may be a literal in the call, a constant assigned a few lines above, implicitly concatenated (`"SET a = :a, " "data = :d"`) or an f-string (only its constant parts are read). Expressions built with `boto3.dynamodb.conditions` (`Key("status").eq(...)`) are never flagged: boto3 puts every name in `ExpressionAttributeNames` itself. Calls in module-level code and class bodies (scripts, notebook cells, `if __name__ == "__main__":` blocks) are checked like calls in functions.',
      whyIsThisBad: 'DynamoDB rejects the whole request with `ValidationException: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: data`. The list is long and full of ordinary words (`name`, `status`, `data`, `count`, `date`, `user`, `type`, `value`, `timestamp`, `comment`, `owner`, `role`, `token`...), so the bug usually ships in a code path tests did not exercise, and the endpoint fails with a 500 for every caller.',
      example: 'table.update_item(\n    Key={"item_id": item_id},\n    UpdateExpression="SET data = :d, version = version + :inc",\n    ConditionExpression="version = :expected",\n    ExpressionAttributeValues={":d": body.data, ":inc": 1, ":expected": body.version},\n)',
      useInstead: 'table.update_item(\n    Key={"item_id": item_id},\n    UpdateExpression="SET #data = :d, version = version + :inc",\n    ConditionExpression="version = :expected",\n    ExpressionAttributeNames={"#data": "data"},\n    ExpressionAttributeValues={":d": body.data, ":inc": 1, ":expected": body.version},\n)',
      fixSafety: 'The fix writes `#word` in place of every bare use of the word in the request\'s expressions and adds `"#word": "word"` to `ExpressionAttributeNames` (merged into an existing dict literal, wrapped as `{**names, ...}` around a dict built elsewhere, or added as a new argument). It does not change what the request reads or writes, so it is safe and applied by fix-all, except when the expression is a constant defined outside the call: other calls may share it, so the fix is offered but not applied automatically. No fix is offered when `**kwargs` of unknown content could already pass `ExpressionAttributeNames`.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html',
      ],
    },
  },
  messages: {
    reserved: '`{{word}}` is a DynamoDB reserved word: DynamoDB rejects this {{expression}} (ValidationException). Write `#{{word}}` and map it in ExpressionAttributeNames.',
  },
  check(context) {
    reportIssues(context, 'DG402', (facts, site, issue) => reservedWordFix(facts, site, issue.data.word!));
  },
};

export default rule;
