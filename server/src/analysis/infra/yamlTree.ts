// YAML and JSON (a subset of YAML 1.2) into a small positioned tree, with the CloudFormation short
// forms (`!Ref`, `!GetAtt`, `!Sub`...) kept as tags. Parsing is the `yaml` package's; this file only
// declares the tags and copies the nodes it needs, bounded in depth and size.

import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode, type Tags } from 'yaml';
import { LIMITS } from './model';

export type Val =
  | { kind: 'map'; entries: Array<{ key: string; keyStart: number; value: Val }>; start: number; end: number; tag?: string }
  | { kind: 'seq'; items: Val[]; start: number; end: number; tag?: string }
  | { kind: 'scalar'; value: string | number | boolean | null; start: number; end: number; tag?: string };

const INTRINSICS = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Condition', 'Transform', 'Length', 'ToJsonString'];

/** Every short form in the three node shapes it may take; resolve keeps the node for us to read. */
const CFN_TAGS: Tags = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (s: string) => s },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (n: unknown) => n as YamlNode },
  { tag: `!${name}`, collection: 'map' as const, resolve: (n: unknown) => n as YamlNode },
]) as Tags;

export interface ParsedYaml {
  root?: Val;
  errors: string[];
}

export function parseYaml(text: string): ParsedYaml {
  const doc = parseDocument(text, { customTags: CFN_TAGS, uniqueKeys: false, prettyErrors: false, strict: false });
  const errors = doc.errors.map((e) => e.message.split('\n')[0]!);
  let budget = 200_000;
  const copy = (n: unknown, depth: number): Val | undefined => {
    if (--budget < 0 || depth > LIMITS.maxDepth) return undefined;
    if (isAlias(n)) return copy(n.resolve(doc), depth + 1);
    const node = n as YamlNode | null;
    const [start, rawEnd] = (node as { range?: [number, number, number] } | null)?.range ?? [0, 0, 0];
    // Block collections end where the next line starts: keep the span on the node's own text.
    let end = rawEnd;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    const tag = node?.tag?.startsWith('!') && !node.tag.startsWith('!!') ? node.tag.slice(1) : undefined;
    const t = tag ? { tag } : {};
    if (isMap(node)) {
      const entries: Array<{ key: string; keyStart: number; value: Val }> = [];
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const k = p.key;
        const key = isScalar(k) ? String(k.value) : '';
        const value = copy(p.value, depth + 1) ?? { kind: 'scalar' as const, value: null, start: (k as { range?: number[] } | null)?.range?.[1] ?? start, end: (k as { range?: number[] } | null)?.range?.[1] ?? start };
        entries.push({ key, keyStart: (k as { range?: number[] } | null)?.range?.[0] ?? start, value });
      }
      return { kind: 'map', entries, start, end, ...t };
    }
    if (isSeq(node)) {
      const items = node.items.map((i) => copy(i, depth + 1)).filter((v): v is Val => v !== undefined);
      return { kind: 'seq', items, start, end, ...t };
    }
    if (isScalar(node)) {
      const v = node.value;
      const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
      return { kind: 'scalar', value, start, end, ...t };
    }
    return undefined;
  };
  const root = doc.contents ? copy(doc.contents, 0) : undefined;
  return root ? { root, errors } : { errors };
}

export function get(v: Val | undefined, key: string): Val | undefined {
  if (v?.kind !== 'map') return undefined;
  for (const e of v.entries) if (e.key === key) return e.value;
  return undefined;
}

export function path(v: Val | undefined, ...keys: string[]): Val | undefined {
  let cur = v;
  for (const k of keys) cur = get(cur, k);
  return cur;
}

export function str(v: Val | undefined): string | undefined {
  return v?.kind === 'scalar' && v.value !== null && !v.tag ? String(v.value) : undefined;
}

export function entries(v: Val | undefined): Array<{ key: string; keyStart: number; value: Val }> {
  return v?.kind === 'map' ? v.entries : [];
}

/** A list, or a single value standing for a one-element list (IAM's habit). */
export function list(v: Val | undefined): Val[] {
  if (!v) return [];
  return v.kind === 'seq' && !v.tag ? v.items : [v];
}

/**
 * The CloudFormation intrinsic of a value, long (`{"Fn::GetAtt": ...}`, `{"Ref": ...}`) or short
 * (`!GetAtt`) form, as its name without `Fn::` and its argument.
 */
export function intrinsic(v: Val | undefined): { fn: string; arg: Val } | undefined {
  if (!v) return undefined;
  if (v.tag && INTRINSICS.includes(v.tag)) {
    const arg: Val = v.kind === 'scalar' ? { kind: 'scalar', value: v.value, start: v.start, end: v.end } : { ...v, tag: undefined } as Val;
    return { fn: v.tag, arg };
  }
  if (v.kind === 'map' && v.entries.length === 1) {
    const e = v.entries[0]!;
    if (e.key === 'Ref') return { fn: 'Ref', arg: e.value };
    if (e.key.startsWith('Fn::')) return { fn: e.key.slice(4), arg: e.value };
  }
  return undefined;
}

/**
 * A value as text, references written `${Logical}` / `${Logical.Attr}` (the `!Sub` syntax), so one
 * matcher reads every way of spelling an ARN. Undefined when a part cannot be known statically.
 */
export function cfnText(v: Val | undefined, depth = 0): string | undefined {
  if (!v || depth > 8) return undefined;
  const fn = intrinsic(v);
  if (!fn) return v.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
  switch (fn.fn) {
    case 'Ref':
      return str(fn.arg) !== undefined ? `\${${str(fn.arg)}}` : undefined;
    case 'GetAtt': {
      const parts = fn.arg.kind === 'seq' ? fn.arg.items.map((i) => str(i)) : (str(fn.arg) ?? '').split('.');
      return parts.length >= 2 && parts.every((p) => p) ? `\${${parts.join('.')}}` : undefined;
    }
    case 'Sub': {
      if (fn.arg.kind === 'scalar') return str(fn.arg);
      if (fn.arg.kind !== 'seq') return undefined;
      let text = str(fn.arg.items[0]);
      if (text === undefined) return undefined;
      for (const e of entries(fn.arg.items[1])) {
        const sub = cfnText(e.value, depth + 1);
        if (sub !== undefined) text = text.split(`\${${e.key}}`).join(sub);
      }
      return text;
    }
    case 'Join': {
      if (fn.arg.kind !== 'seq') return undefined;
      const sep = str(fn.arg.items[0]) ?? '';
      const parts = list(fn.arg.items[1]).map((p) => cfnText(p, depth + 1));
      return parts.every((p) => p !== undefined) ? parts.join(sep) : undefined;
    }
    default:
      return undefined;
  }
}
