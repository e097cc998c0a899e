import { EditBuilder, mergeInsertions, pyString, replaceNode } from '../fixes/edits';
import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { matchesAny } from '../model/names';
import type { Source, Value } from '../model/values';
import { rangeOf, visit, type SyntaxNode } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import type { RuleModule } from './rule';

const WRITE_ARGS = ['Item', 'UpdateExpression', 'ExpressionAttributeValues', 'AttributeUpdates'];

function wholePayload(v: Value | undefined): Source | undefined {
  return v && v.payload && !v.filtered ? v.payload : undefined;
}

/** The payload-carrying argument of a write, if any. */
export function massAssigned(call: TableCall): { arg: string; node: SyntaxNode; source: Source } | undefined {
  if (!call.isWrite) return undefined;
  for (const name of WRITE_ARGS) {
    const kw = call.kwargs.get(name);
    const src = wholePayload(kw?.value);
    if (kw && src) return { arg: name, node: kw.node, source: src };
  }
  if (call.api === 'pynamo') {
    const src = wholePayload(call.receiverValue);
    if (src) return { arg: 'item', node: call.receiver, source: src };
  }
  return undefined;
}

function upperSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toUpperCase();
}

function modelOf(facts: FileFacts, fnFacts: FunctionFacts, source: Source): string | undefined {
  if (!source.id.startsWith('param:')) return undefined;
  const p = fnFacts.fn.params.find((x) => x.name === source.id.slice('param:'.length));
  const ann = p?.annotation ? textOf(facts.text, p.annotation).replace(/^Annotated\[\s*|[,\]][\s\S]*$/g, '') : undefined;
  return ann && facts.module.classes.has(ann) ? ann : undefined;
}

function entityName(call: TableCall, model: string | undefined): string {
  if (model) {
    const base = model.replace(/(Update|Create|In|Input|Request|Body|Payload|Patch|Schema|Model)+$/, '');
    if (base) return upperSnake(base);
  }
  if (call.tableName) return upperSnake(call.tableName.replace(/s$/, ''));
  return upperSnake(call.fn.name.replace(/^(create|update|put|patch|add|register|new|insert|edit|save)_/, '')) || 'ITEM';
}

function allowListFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, hit: { arg: string; node: SyntaxNode; source: Source }): Fix | undefined {
  if (hit.arg !== 'Item' && hit.arg !== 'AttributeUpdates') return undefined;
  const b = new EditBuilder(facts);
  const model = modelOf(facts, fnFacts, hit.source);
  const settings = facts.settings;
  const modelFields = model ? facts.module.classes.get(model)!.fields : undefined;
  const fields = (modelFields ?? settings.publicFields).filter((f) => !matchesAny(f, settings.ownerAttributes) && !matchesAny(f, settings.sensitiveAttributes));
  const constName = `ALLOWED_${entityName(call, model)}_FIELDS`;
  const edits: Array<TextEdit | undefined> = [];
  if (!b.isBound(constName)) {
    const set = fields.length ? `{${fields.map((f) => pyString(f, facts)).join(', ')}}` : 'set()  # TODO: list the attributes clients may set';
    edits.push(b.insertTopLevelLines([`${constName} = ${set}`], true));
  }
  const filter = (expr: string) => `{k: v for k, v in ${expr}.items() if k in ${constName}}`;
  const node = hit.node;
  if (node.type === 'dictionary') {
    // Filter the `**payload` splats in place; keep explicit entries and splats of other dicts
    // (`{**stored_item, **payload}` must keep the stored item whole).
    const tainted = payloadNames(facts, fnFacts, hit.source);
    for (const c of node.children) {
      if (c.type !== 'dictionary_splat') continue;
      const inner = c.children.find((x) => x.named)!;
      if (!carriesPayload(facts, inner, hit.source, tainted)) continue;
      edits.push(replaceNode(inner, filter(wrapIfNeeded(textOf(facts.text, inner), inner))));
    }
  } else {
    edits.push(replaceNode(node, filter(wrapIfNeeded(textOf(facts.text, node), node))));
  }
  return {
    title: `Filter the payload through ${constName}`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    safe: !!modelFields && fields.length > 0,
  };
}

/** Local names assigned (directly or through other such names) from an expression containing the payload source. */
function payloadNames(facts: FileFacts, fnFacts: FunctionFacts, source: Source): Set<string> {
  const names = new Set<string>();
  if (source.id.startsWith('param:')) names.add(source.id.slice('param:'.length));
  const assignments: Array<[string, SyntaxNode]> = [];
  visit(fnFacts.fn.body, (n) => {
    if (n.type !== 'assignment') return;
    const left = n.children.find((c) => c.field === 'left');
    const right = n.children.find((c) => c.field === 'right');
    if (left?.type === 'identifier' && right) assignments.push([textOf(facts.text, left), right]);
  });
  for (let round = 0; round < 3; round++) {
    for (const [name, right] of assignments) if (carriesPayload(facts, right, source, names)) names.add(name);
  }
  return names;
}

function carriesPayload(facts: FileFacts, node: SyntaxNode, source: Source, names: Set<string>): boolean {
  if (node.start <= source.node.start && source.node.end <= node.end) return true;
  let found = false;
  visit(node, (n) => {
    if (found) return false;
    if (n.type === 'identifier' && names.has(textOf(facts.text, n)) && !(n.parent?.type === 'attribute' && n.field === 'attribute')) found = true;
    return undefined;
  });
  return found;
}

function wrapIfNeeded(expr: string, node: SyntaxNode): string {
  return ['identifier', 'attribute', 'subscript', 'call', 'parenthesized_expression'].includes(node.type) ? expr : `(${expr})`;
}

const rule: RuleModule = {
  meta: {
    code: 'DG302',
    name: 'mass-assignment',
    defaultSeverity: 'error',
    summary: 'A write stores the whole request payload (Item=request.json, payload.model_dump(), a loop over body.items()) without an allow-list.',
    cwe: ['CWE-915'],
    owasp: ['API3:2023 Broken Object Property Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `put_item`/`update_item` (and PynamoDB `save`/`update`) whose `Item=`, `UpdateExpression`, `ExpressionAttributeValues` or `AttributeUpdates` is built from a whole request payload: `request.json`, `request.get_json()`, `payload.dict()`/`model_dump()`, `json.loads(event["body"])`, `current_request.json_body`, `{**body, ...}`, `dict(body)`, or a loop/comprehension over `body.items()`/`body.keys()`. A payload filtered through an allow-list (`{k: v for k, v in body.items() if k in ALLOWED}`, a loop over a constant list of fields) or written field by field does not count.',
      whyIsThisBad: 'The client decides which attributes are written: `{"role": "admin", "owner_id": "<someone else>", "balance": 1e9}` goes straight into the item (mass assignment, OWASP API3). DynamoDB has no schema to stop it.',
      example: '@app.put("/users/{user_id}")\ndef update_user(user_id: str, body: UserUpdate, user=Depends(get_current_user)):\n    table.put_item(Item={**body.model_dump(), "user_id": user_id})',
      useInstead: 'ALLOWED_USER_FIELDS = {"display_name", "bio"}\n...\n    table.put_item(Item={**{k: v for k, v in body.model_dump().items() if k in ALLOWED_USER_FIELDS}, "user_id": user_id})',
      fixSafety: 'Inserts `ALLOWED_<X>_FIELDS = {...}` at module level and filters the payload through it where it enters `Item=`/`AttributeUpdates=`. The fields come from the Pydantic model of the body when it is known (safe, applied by fix-all), minus privileged (`owner-attributes`) and sensitive names; otherwise from `public-fields`, or an empty set with a TODO (offered, not applied automatically). Update expressions built in a loop over the payload get no automatic fix: filter the loop by hand.',
      references: ['https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/', 'https://cwe.mitre.org/data/definitions/915.html'],
    },
  },
  messages: {
    massAssignment: '`{{method}}` writes `{{arg}}` built from the whole {{source}} without an allow-list: the client chooses which attributes are stored (mass assignment).',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      for (const call of fnFacts.calls) {
        const hit = massAssigned(call);
        if (!hit) continue;
        context.report({
          messageId: 'massAssignment',
          data: { method: call.method, arg: hit.arg, source: hit.source.label },
          node: call.methodNode,
          related: [{ range: rangeOf(hit.source.node), message: `The payload enters here: ${hit.source.label}` }],
          fixes: () => { const f = allowListFix(facts, fnFacts, call, hit); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;

