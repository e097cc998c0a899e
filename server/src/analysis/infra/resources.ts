// What a policy's Resource entry names, once every format has written it as text with its
// references as `${Logical}` / `${Logical.Arn}` / `${aws_dynamodb_table.x.arn}`.

import type { InfraTable, ResourceRef } from './model';

const REF = /^\$\{([\w.:-]+?)(?:\.(?:Arn|arn|name|id|StreamArn|stream_arn))?\}/;
const TABLE_SEGMENT = /:table\/([^/]+)(?:\/index\/([^/]+))?(?:\/stream\/.*)?$/;

export function classifyResource(text: string, tables: readonly InfraTable[]): ResourceRef {
  const t = text.trim();
  if (t === '*' || /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:\*$/.test(t)) return { anyTable: true, text: t };
  const byId = (id: string) => tables.find((x) => x.id === id || x.id.endsWith(`.${id}`));
  const byName = (name: string) => tables.find((x) => x.name === name);
  const lead = REF.exec(t);
  if (lead) {
    const table = byId(lead[1]!);
    const rest = t.slice(lead[0].length);
    const index = /^\/index\/(.+)$/.exec(rest)?.[1];
    if (table && (rest === '' || index !== undefined)) return { table: table.id, ...(index !== undefined ? { index } : {}), text: t };
  }
  // A reference inside the ARN (`table/${ssm:/shop/orders}`) is one segment, whatever it holds.
  const masked = t.replace(/\$\{[^{}]{0,300}\}/g, (m) => m.replace(/\//g, '\u0000'));
  const seg = TABLE_SEGMENT.exec(masked);
  if (seg) {
    const name = seg[1]!.replace(/\u0000/g, '/');
    const index = seg[2];
    if (name === '*' || /\*/.test(name) && !/\$\{/.test(name)) return { anyTable: true, ...(index ? { index } : {}), text: t };
    const ref = /^\$\{([\w.:-]+?)\}$/.exec(name);
    const table = ref ? byId(ref[1]!) ?? byName(name) : byName(name);
    if (table) return { table: table.id, ...(index !== undefined ? { index } : {}), text: t };
  }
  return { text: t };
}

/** Does IAM action pattern `pattern` (lower case, `*` wildcards) cover `action`? */
export function actionMatches(pattern: string, action: string): boolean {
  // Bounded: runs of `*` collapse, and an absurdly long pattern matches only itself.
  const p = pattern.toLowerCase().replace(/\*+/g, '*');
  if (p.length > 200) return p === action.toLowerCase();
  const a = action.toLowerCase();
  if (p === '*' || p === a) return true;
  if (!p.includes('*') && !p.includes('?')) return false;
  const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(a);
}
