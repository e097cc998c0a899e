import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { matchesAny } from '../model/names';
import type { Source } from '../model/values';
import { field, visit, type SyntaxNode } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { EditBuilder, mergeInsertions, pyString, replaceNode } from './edits';
import { formatSetLiteral } from './format';

// DG302's allow-list fix. The payload is filtered where it ENTERS the item (`item = body.dict()`),
// never at the write: what the handler sets itself afterwards (`item["customer_id"] = user.sub`)
// must still be stored — filtering `Item=item` would silently drop it.

export function upperSnake(s: string): string {
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

interface Hit {
  arg: string;
  node: SyntaxNode;
  source: Source;
}

export function payloadFilterFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, hit: Hit): Fix | undefined {
  if (hit.arg !== 'Item' && hit.arg !== 'AttributeUpdates') return undefined;
  const b = new EditBuilder(facts);
  const model = modelOf(facts, fnFacts, hit.source);
  const settings = facts.settings;
  const modelFields = model ? facts.module.classes.get(model)!.fields : undefined;
  const keep = (f: string) => !matchesAny(f, settings.ownerAttributes) && !matchesAny(f, settings.sensitiveAttributes);
  const names = payloadNames(facts, fnFacts, hit.source);
  // What the handler sets itself is the server's to decide, not the client's.
  const own = ownFields(facts, fnFacts, names);
  const fields = (modelFields ?? settings.publicFields).filter((f) => keep(f) && !own.has(f));
  // A key attribute the client sends is what the item is stored under: dropping it breaks the write.
  const schema = facts.keySchema(call.tableName) ?? [];
  const dropsKey = (modelFields ?? []).some((f) => !keep(f) && schema.includes(f));
  const constName = `ALLOWED_${entityName(call, model)}_FIELDS`;
  const edits: Array<TextEdit | undefined> = [];
  if (!b.isBound(constName)) {
    const set = fields.length ? formatSetLiteral(constName, fields.map((f) => pyString(f, facts)), b.indentUnit()) : `${constName} = set()  # TODO: list the attributes clients may set`;
    edits.push(b.insertTopLevelLines(set.split('\n'), true));
  }
  let target = hit.node;
  let safeSite = true;
  if (target.type === 'identifier' && names.has(textOf(facts.text, target)) && !hit.source.id.endsWith(`:${textOf(facts.text, target)}`)) {
    const entry = entryAssignment(facts, fnFacts, textOf(facts.text, target), hit.source, names);
    if (entry) target = entry;
    // Filtering at the write would drop what the handler adds to the item after the payload.
    else safeSite = own.size === 0;
  }
  const filter = (expr: string) => `{k: v for k, v in ${expr}.items() if k in ${constName}}`;
  if (target.type === 'dictionary') {
    // Filter the `**payload` splats in place; keep explicit entries and splats of other dicts
    // (`{**stored_item, **payload}` must keep the stored item whole).
    for (const c of target.children) {
      if (c.type !== 'dictionary_splat') continue;
      const inner = c.children.find((x) => x.named)!;
      if (!carriesPayload(facts, inner, hit.source, names)) continue;
      edits.push(replaceNode(inner, filter(wrapIfNeeded(textOf(facts.text, inner), inner))));
    }
  } else {
    edits.push(replaceNode(target, filter(wrapIfNeeded(textOf(facts.text, target), target))));
  }
  return {
    title: `Filter the payload through ${constName}`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    safe: !!modelFields && fields.length > 0 && safeSite && !dropsKey,
  };
}

/** The right-hand side of the single assignment `name = <payload expression>` (where the payload enters). */
function entryAssignment(facts: FileFacts, fnFacts: FunctionFacts, name: string, source: Source, names: Set<string>): SyntaxNode | undefined {
  const rights: SyntaxNode[] = [];
  visit(fnFacts.fn.body, (n) => {
    if (n.type !== 'assignment') return;
    const left = field(n, 'left');
    const right = field(n, 'right');
    if (left?.type === 'identifier' && textOf(facts.text, left) === name && right) rights.push(right);
  });
  if (rights.length !== 1) return undefined;
  const others = new Set([...names].filter((x) => x !== name));
  return carriesPayload(facts, rights[0]!, source, others) ? rights[0] : undefined;
}

/** Fields the handler sets itself on a payload-carrying dict (`item["owner_id"] = ...`); `*` for `item.update(...)`. */
function ownFields(facts: FileFacts, fnFacts: FunctionFacts, names: Set<string>): Set<string> {
  const out = new Set<string>();
  visit(fnFacts.fn.body, (n) => {
    if (n.type === 'assignment') {
      const left = field(n, 'left');
      const obj = left?.type === 'subscript' ? field(left, 'value') : undefined;
      const sub = left?.type === 'subscript' ? field(left, 'subscript') : undefined;
      if (obj?.type === 'identifier' && names.has(textOf(facts.text, obj))) out.add(sub?.type === 'string' ? textOf(facts.text, sub).replace(/^["']|["']$/g, '') : '*');
    } else if (n.type === 'call') {
      const fn = field(n, 'function');
      const obj = fn?.type === 'attribute' ? field(fn, 'object') : undefined;
      const attr = fn?.type === 'attribute' ? textOf(facts.text, field(fn, 'attribute')!) : '';
      if (obj?.type === 'identifier' && names.has(textOf(facts.text, obj)) && (attr === 'update' || attr === 'setdefault')) out.add('*');
    }
    return undefined;
  });
  return out;
}

/** Local names assigned (directly or through other such names) from an expression containing the payload source. */
function payloadNames(facts: FileFacts, fnFacts: FunctionFacts, source: Source): Set<string> {
  const names = new Set<string>();
  if (source.id.startsWith('param:')) names.add(source.id.slice('param:'.length));
  const assignments: Array<[string, SyntaxNode]> = [];
  visit(fnFacts.fn.body, (n) => {
    if (n.type !== 'assignment') return;
    const left = field(n, 'left');
    const right = field(n, 'right');
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


