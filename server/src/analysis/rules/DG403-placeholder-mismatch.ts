import type { Issue } from '../expr/check';
import { missingNameFix, removeEmptyDictFix, removeEntryFix, renameKeyFix } from '../expr/exprFixes';
import { isReservedWord } from '../expr/reservedWords';
import type { RequestSite } from '../expr/requests';
import { reportIssues } from '../expr/ruleSupport';
import type { FileFacts } from '../model/facts';
import type { Fix } from '../types';
import type { RuleModule } from './rule';

/**
 * The attribute a missing `#placeholder` stands for, when there is no doubt: `#status` for the
 * reserved word `status` (the only reason to write it), or a key/item attribute of the same call.
 */
function obviousAttribute(facts: FileFacts, site: RequestSite, placeholder: string): { attr: string; safe: boolean } | undefined {
  const attr = placeholder.slice(1);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(attr)) return undefined;
  if (isReservedWord(attr)) return { attr, safe: true };
  const call = site.call;
  const known = new Set<string>([
    ...call.keys.map((k) => k.attr ?? ''),
    ...(call.kwargs.get('Item')?.value.dict?.map((e) => e.key) ?? []),
    ...(facts.keySchema(call.tableName) ?? []),
  ]);
  return known.has(attr) ? { attr, safe: false } : undefined;
}

function fixFor(facts: FileFacts, site: RequestSite, issue: Issue, all: readonly RequestSite[]): Fix | undefined {
  switch (issue.messageId) {
    case 'missingName': {
      const obvious = obviousAttribute(facts, site, issue.data.placeholder!);
      return obvious ? missingNameFix(facts, site, issue.data.placeholder!, obvious.attr, obvious.safe) : undefined;
    }
    case 'unusedName':
    case 'unusedValue':
      return removeEntryFix(facts, site, issue.dict!, issue.key!, all);
    case 'emptyDict':
      return removeEmptyDictFix(facts, site, issue.dict!);
    case 'badKey': {
      const to = issue.data.sigil! + issue.key!;
      const used = site.analyses.some((a) => a.placeholders.some((p) => p.text === to));
      return used ? renameKeyFix(facts, site, issue.dict!, issue.key!, to) : undefined;
    }
    default:
      // A missing :value has no safe value to invent.
      return undefined;
  }
}

const rule: RuleModule = {
  meta: {
    code: 'DG403',
    name: 'placeholder-mismatch',
    defaultSeverity: 'error',
    summary: 'A :value / #name used in an expression is not defined, or a defined one is not used: the request is rejected.',
    cwe: ['CWE-20'],
    owasp: [],
    fixable: true,
    docs: {
      whatItDoes: 'Compares the `:value` and `#name` placeholders a DynamoDB request\'s expressions use with the keys of its `ExpressionAttributeValues` and `ExpressionAttributeNames`, and flags a placeholder that is used but not defined, an entry that no expression uses, a key without its `:`/`#` sigil (`{"uid": user_id}`) and an empty dict. It only speaks when both sides are statically known: the expressions are string constants (an f-string\'s constant parts are enough to find an undefined placeholder) and the dicts are literals or variables built a few lines above with constant keys (`vals = {...}`, `vals[":x"] = ...`, also when added in an `if`). A dict filled in a loop with computed keys, updated with `.update()`, passed through a helper or splatted from an unknown `**dict` is not fully known, and nothing is reported. Calls in module-level code and class bodies (scripts, notebook cells, `if __name__ == "__main__":` blocks) are checked like calls in functions.',
      whyIsThisBad: 'DynamoDB validates placeholders strictly: `An expression attribute value used in expression is not defined; attribute value: :status`, `Value provided in ExpressionAttributeValues unused in expressions: keys: {:mu}`, `ExpressionAttributeValues must not be empty`. The request fails every time the code path runs, typically after an expression was edited and the dict was not (or the reverse).',
      example: 'expr_attr_vals = {":dn": body.display_name}\nexpr_attr_vals[":mu"] = "profile"\ntable.update_item(\n    Key={"user_id": user.id},\n    UpdateExpression="SET #dn = :dn",\n    ConditionExpression="attribute_exists(user_id)",\n    ExpressionAttributeNames={"#dn": "display_name"},\n    ExpressionAttributeValues=expr_attr_vals,\n)',
      useInstead: 'table.update_item(\n    Key={"user_id": user.id},\n    UpdateExpression="SET #dn = :dn",\n    ConditionExpression="attribute_exists(user_id)",\n    ExpressionAttributeNames={"#dn": "display_name"},\n    ExpressionAttributeValues={":dn": body.display_name},\n)',
      fixSafety: 'Unused entries are removed (the whole argument when it was the only entry, since DynamoDB also rejects an empty map); that is safe and applied by fix-all when the entry\'s value has no side effect and the dict is built for this request alone, otherwise offered only. A missing `#name` is added as `"#status": "status"` when the name is obvious: a reserved word (safe) or an attribute of the same call\'s key or item (offered only). A key written without its sigil is renamed (`"uid"` -> `":uid"`) when the expressions use `:uid`. A missing `:value` gets no fix: there is no safe value to invent.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html',
      ],
    },
  },
  messages: {
    missingValue: '`{{placeholder}}` is used in {{expression}} but not defined in ExpressionAttributeValues: DynamoDB rejects the request (ValidationException).',
    missingName: '`{{placeholder}}` is used in {{expression}} but not defined in ExpressionAttributeNames: DynamoDB rejects the request (ValidationException).',
    unusedValue: '`{{placeholder}}` is defined in ExpressionAttributeValues but no expression of this request uses it: DynamoDB rejects the request (ValidationException).',
    unusedName: '`{{placeholder}}` is defined in ExpressionAttributeNames but no expression of this request uses it: DynamoDB rejects the request (ValidationException).',
    badKey: '`{{key}}` is not a valid {{dict}} key (keys start with `{{sigil}}`): DynamoDB rejects the request (ValidationException).',
    emptyDict: '{{dict}} is empty: DynamoDB rejects an empty map (ValidationException).',
  },
  check(context) {
    reportIssues(context, 'DG403', fixFor);
  },
};

export default rule;
