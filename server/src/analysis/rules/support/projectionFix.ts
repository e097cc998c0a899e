import { isReservedWord } from '../../expr/reservedWords';
import { EditBuilder, mergeInsertions, pyString } from '../../fixes/edits';
import type { FileFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import { matchesAny } from '../../model/names';
import { dictGet } from '../../model/values';
import { rangeOf } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';
import { modelClass } from '../../facts/models';

// DG201's fix: a projection listing what the handler and the file's writers use, never the key alone.

/** `#name` placeholders for attribute names DynamoDB cannot take bare (reserved words, odd characters). */
export function needsPlaceholder(attr: string): boolean {
  return isReservedWord(attr) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(attr);
}

function placeholderFor(attr: string): string {
  return '#' + attr.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Attributes the file stores in items of the same table (`put_item(Item={...})`): what a reader of the item expects back. */
function writtenAttributes(facts: FileFacts, call: TableCall): string[] {
  const out: string[] = [];
  const same = (c: TableCall) => (call.tableName ? c.tableName === call.tableName : textOf(facts.text, c.receiver) === textOf(facts.text, call.receiver));
  for (const f of facts.functions) for (const c of f.calls) if (c.method === 'put_item' && same(c)) for (const e of c.kwargs.get('Item')?.value.dict ?? []) out.push(e.key);
  return out;
}

export function projectionFix(facts: FileFacts, call: TableCall): Fix | undefined {
  const settings = facts.settings;
  const fromConfig = settings.publicFields.length > 0;
  // A model of another module: the engine does not know its key attributes, its class does.
  const model = call.api === 'pynamo' ? modelClass(facts, call.pynamoModel) : undefined;
  const keyAttrs = [...call.keys.map((k) => k.attr), model?.hashKey, model?.rangeKey].filter((a): a is string => !!a);
  const candidates = fromConfig ? [...settings.publicFields] : [...keyAttrs, ...call.usedFields, ...writtenAttributes(facts, call)];
  const fields = [...new Set(candidates)].filter((f) => !matchesAny(f, settings.sensitiveAttributes));
  // A projection of the key alone would turn the endpoint into one that returns only ids.
  if (!fields.some((f) => !keyAttrs.includes(f))) return undefined;
  const b = new EditBuilder(facts);
  const edits: Array<TextEdit | undefined> = [];
  if (call.api === 'pynamo') {
    edits.push(b.addKeywordArgument(call.node, 'attributes_to_get', `[${fields.map((f) => pyString(f, facts)).join(', ')}]`));
  } else {
    const names = new Map<string, string>();
    const parts = fields.map((f) => {
      if (!needsPlaceholder(f)) return f;
      const ph = placeholderFor(f);
      names.set(ph, f);
      return ph;
    });
    edits.push(b.addKeywordArgument(call.node, 'ProjectionExpression', pyString(parts.join(', '), facts)));
    if (names.size) {
      const ean = call.kwargs.get('ExpressionAttributeNames');
      const entries = [...names].filter(([ph]) => !(ean && dictGet(ean.value, ph)));
      if (!ean) {
        edits.push(b.addKeywordArgument(call.node, 'ExpressionAttributeNames', `{${entries.map(([ph, f]) => `${pyString(ph, facts)}: ${pyString(f, facts)}`).join(', ')}}`));
      } else if (ean.node.type === 'dictionary') {
        for (const [ph, f] of entries) edits.push(b.addDictEntry(ean.node, pyString(ph, facts), pyString(f, facts)));
      } else {
        edits.push({ range: rangeOf(ean.node), newText: `{**${textOf(facts.text, ean.node)}, ${entries.map(([ph, f]) => `${pyString(ph, facts)}: ${pyString(f, facts)}`).join(', ')}}` });
      }
    }
  }
  return {
    title: `Add a projection: ${fields.join(', ')}`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    // Only the configured public fields are a deliberate choice; attributes guessed from use may drop data a client needs.
    safe: fromConfig,
  };
}
