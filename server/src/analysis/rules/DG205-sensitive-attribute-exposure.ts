import { removeItem } from '../fixes/literals';
import { rangeOf, type SyntaxNode } from '../parse/syntax';
import { droppedInBody, isSensitive, projectionHits, readAttribute, responseEntries, sites } from './support/projections';
import { publicByDesign } from '../facts/publicness';
import { modelClass } from '../facts/models';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG205',
    name: 'sensitive-attribute-exposure',
    defaultSeverity: 'warning',
    summary: 'A handler sends sensitive-looking attributes (password hashes, tokens, secrets) read from DynamoDB to the client.',
    cwe: ['CWE-200', 'CWE-213'],
    owasp: ['API3:2023 Broken Object Property Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags, in HTTP handlers, (1) a `ProjectionExpression` (also `#name` placeholders resolved through `ExpressionAttributeNames`), `AttributesToGet` or PynamoDB `attributes_to_get` that lists an attribute matching `sensitive-attributes` (default `password*`, `*hash*`, `*secret*`, `*token*`, `api_key`, `ssn`, `card*`, `cvv`, `mfa*`, `private*`; nested path segments count; names that describe a secret rather than hold it, ending in `_id`, `_at`, `_count`, `_enabled`, `_type`, `_last4`, `_expires`, are not) when the projected result reaches the response whole; and (2) a response dict that copies such an attribute out of a DynamoDB result (`{"password_hash": item["password_hash"]}`, also in nested dicts and comprehensions). The finding is on the attribute inside the projection string (on the whole argument when it is not a plain literal) or on the response key. Not reported: projections whose result only feeds a check (a login reading `password_hash` to verify it), attributes removed before returning (`item.pop("password_hash")`, `del item[...]`), FastAPI handlers with `response_model`/an explicit return model. Whole items returned without any projection are DG201\'s, except whole PynamoDB items (`dict(note)`, `note.attribute_values`, `note.to_simple_dict()`) whose model declares a sensitive attribute (the model may be defined in another module: `from models import Note`, relative imports and package re-exports are followed): that attribute is known to leave, reported on the read (`Note.get`).',
      whyIsThisBad: 'A projection is the list of what a request deliberately returns. Listing a password hash, token or card field there and returning the result hands it to every client (OWASP API3: excessive data exposure); hashes are then cracked offline and tokens replayed.',
      example: 'resp = users.get_item(\n    Key={"user_id": me},\n    ProjectionExpression="user_id, email, password_hash",\n)\nreturn resp["Item"]',
      useInstead: 'resp = users.get_item(\n    Key={"user_id": me},\n    ProjectionExpression="user_id, email",\n)\nreturn resp["Item"]',
      fixSafety: 'Removes the attribute from a literal projection (and its `#name` entry from `ExpressionAttributeNames` when no other expression uses it, the whole argument when it was the only one): safe, applied by fix-all; a client that relied on the secret stops receiving it, which is the point. No fix when the projection is not a plain string literal or lists nothing else. For a response dict the fix deletes the entry; it is offered but not applied automatically.',
      references: ['https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html'],
    },
  },
  messages: {
    projection: '`{{attr}}` is projected by `{{method}}` and the result is returned to the client: a sensitive attribute leaves the API.',
    response: 'The response includes `{{attr}}` read from DynamoDB: a sensitive attribute leaves the API.',
    model: 'Whole `{{model}}` items from `{{method}}` are returned to the client, with the sensitive attribute `{{attr}}` the model declares: it leaves the API.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      if (fnFacts.handler!.responseNarrowed) continue;
      // A login/token route hands the caller the token it just minted: that is its purpose.
      const minted = publicByDesign(facts, fnFacts) ? /token/i : undefined;
      const seen = new Set<string>();
      for (const r of fnFacts.returns) {
        for (const id of r.value.dbWhole?.keys() ?? []) {
          const call = fnFacts.calls.find((c) => c.id === id);
          if (!call?.isRead) continue;
          for (const site of sites(call)) {
            for (const hit of projectionHits(facts, site)) {
              const key = `${hit.range.start.line}:${hit.range.start.character}`;
              if (seen.has(key) || droppedInBody(facts, fnFacts, hit.attr.split('.').pop()!.replace(/\[\d+\]/g, ''))) continue;
              seen.add(key);
              context.report({
                messageId: 'projection', data: { attr: hit.attr, method: call.method }, node: hit.range,
                related: [{ range: rangeOf(r.node), message: 'The projected result is returned here' }],
                fixes: () => { const f = hit.fix(); return f ? [f] : []; },
              });
            }
          }
        }
        // A whole PynamoDB item (`dict(note)`, `note.attribute_values`) carries every attribute its model declares.
        for (const id of r.value.dbWhole?.keys() ?? []) {
          const call = fnFacts.calls.find((c) => c.id === id);
          if (!call?.isRead || call.api !== 'pynamo' || call.kwargs.has('attributes_to_get') || seen.has(`model:${id}`)) continue;
          const model = modelClass(facts, call.pynamoModel);
          const attr = model?.fields.find((f) => isSensitive(facts, f) && !minted?.test(f) && !droppedInBody(facts, fnFacts, f));
          if (!model || !attr) continue;
          seen.add(`model:${id}`);
          context.report({
            messageId: 'model', data: { model: model.name, method: call.method, attr }, node: call.methodNode,
            related: [{ range: rangeOf(r.node), message: 'The whole item is returned here' }],
          });
        }
        const entries: Array<{ key: string; keyNode: SyntaxNode; valueNode: SyntaxNode }> = [];
        responseEntries(r.value, entries);
        for (const e of entries) {
          const attr = isSensitive(facts, e.key) ? e.key : readAttribute(facts, e.valueNode);
          const key = `${e.keyNode.start}`;
          if (!attr || !isSensitive(facts, attr) || seen.has(key) || minted?.test(e.key)) continue;
          seen.add(key);
          const pair = e.keyNode.parent;
          context.report({
            messageId: 'response', data: { attr }, node: e.keyNode,
            fixes: () => (pair?.type === 'pair' && pair.parent && pair.parent.children.filter((c) => c.named).length > 1
              ? [{ title: `Remove \`${e.key}\` from the response`, edits: [removeItem(facts, pair.parent, pair)], isPreferred: true, safe: false }]
              : []),
          });
        }
      }
    }
  },
};

export default rule;
