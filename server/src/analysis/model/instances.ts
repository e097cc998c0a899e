import { MAX_ATTR_DEPTH, MAX_ATTRS, type InstanceAttr, type Value } from './values';

// Instances built with constructor arguments (`Service(repo=Repo(table))`, `Wallet(wallet_id=...)`):
// a method summary is specialised per *shape* of the instance's attributes (which are objects of
// which class or table), and the attributes' values enter the summary as extra parameters
// numbered from ATTR_PARAM_BASE, substituted at each call like ordinary arguments.

/** Parameter index of the first instance attribute in a specialised method summary. */
export const ATTR_PARAM_BASE = 1000;
/** Specialised summaries per method; beyond that the unspecialised one is used. */
export const MAX_SPECIALISATIONS = 8;

/** The object part of a value (what decides which calls are table calls), without taint. */
export function objectPart(v: Value, depth = 0): Value {
  if (!v.obj) return {};
  const out: Value = { obj: v.obj };
  if (v.name !== undefined) out.name = v.name;
  if (v.module !== undefined) out.module = v.module;
  if (v.attrs?.length && depth < MAX_ATTR_DEPTH) out.attrs = v.attrs.map((a) => ({ name: a.name, value: objectPart(a.value, depth + 1) }));
  return out;
}

/** The attributes as a specialised summary sees them: their object part, their value a parameter. */
export function paramAttrs(attrs: readonly InstanceAttr[]): InstanceAttr[] {
  return attrs.slice(0, MAX_ATTRS).map((a, k) => ({ name: a.name, value: { ...objectPart(a.value), params: [ATTR_PARAM_BASE + k] } }));
}

/** Cache key of a specialisation. */
export function attrShape(attrs: readonly InstanceAttr[]): string {
  const shape = (v: Value, depth: number): unknown =>
    v.obj ? [v.obj, v.name ?? '', v.module ?? '', depth < MAX_ATTR_DEPTH ? (v.attrs ?? []).map((a) => [a.name, shape(a.value, depth + 1)]) : []] : 0;
  return JSON.stringify(attrs.slice(0, MAX_ATTRS).map((a) => [a.name, shape(a.value, 0)]));
}

/** Attributes worth keeping on an instance: objects, request input, the subject. */
export function keptAttrs(attrs: readonly InstanceAttr[], depth = 0): InstanceAttr[] | undefined {
  const out: InstanceAttr[] = [];
  for (const a of attrs) {
    const v = a.value;
    if (!v.obj && !v.request?.length && !v.subject?.length && !v.params?.length) continue;
    const value: Value = { ...v };
    if (value.attrs) {
      const nested = depth + 1 < MAX_ATTR_DEPTH ? keptAttrs(value.attrs, depth + 1) : undefined;
      if (nested) value.attrs = nested;
      else delete value.attrs;
    }
    out.push({ name: a.name, value });
    if (out.length >= MAX_ATTRS) break;
  }
  return out.length ? out : undefined;
}
