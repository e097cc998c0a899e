// Differential test of DynamoGuard's expression verdict against dynalite (a DynamoDB emulator that
// re-implements DynamoDB's validation): every request the expression rules see in the DG402-DG404
// fixtures, and a few hundred generated ones, are sent as real requests. DynamoGuard "rejects" a
// request when checkRequest (the code DG402/DG403/DG404 report from) finds an issue; dynalite
// rejects it with a ValidationException.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../../server/out/analysis';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import {
  checkRequest, EXPRESSION_LABEL, issueRange, pathsOf, requestSites,
  type DictState, type ExprAnalysis, type ExprKind, type ExprNode, type Issue, type RequestSite, type RequestSpec,
} from '../../server/out/analysis/expr';
import { computeFacts } from '../../server/out/analysis/model/engine';
import { DynaliteHarness, synthesizeValues, type DynaliteCase, type KeySchema, type Op } from './helpers/dynalite';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE_DIRS = [path.join(REPO_ROOT, 'test', 'fixtures', 'rules'), path.join(REPO_ROOT, 'test', 'fixtures', 'fixes')];
const FIXTURE = /^DG40[234]_[a-z0-9_]+\.py$/;
// DG_EXPR_SEED / DG_EXPR_CASES explore other generated sets (the defaults are what CI runs).
const GENERATED = Number(process.env.DG_EXPR_CASES ?? 400);
const SEED = Number(process.env.DG_EXPR_SEED ?? 0x5eed_d9);
const MIN_GENERATED_AGREEMENT = 0.99;

interface Compared {
  id: string;
  ours: Issue[];
  theirs: string | undefined;
  note?: string;
}

function agree(c: Compared): boolean {
  return (c.ours.length > 0) === (c.theirs !== undefined);
}

function explain(c: Compared): string {
  const ours = c.ours.length ? c.ours.map((i) => `${i.rule} ${i.data.detail ?? i.messageId}`).join('; ') : 'accepted';
  return `${c.id}\n      DynamoGuard: ${ours}\n      dynalite:    ${c.theirs ?? `accepted${c.note ? ` (${c.note})` : ''}`}`;
}

async function compare(h: DynaliteHarness, id: string, c: DynaliteCase, issues: Issue[]): Promise<Compared> {
  const v = await h.send(c);
  const out: Compared = { id, ours: issues, theirs: v.accepted ? undefined : v.message };
  if (v.accepted && v.note) out.note = v.note;
  return out;
}

const LABELS = Object.entries(EXPRESSION_LABEL) as Array<[ExprKind, string]>;
const labelOf = (kind: ExprKind) => LABELS.find(([k]) => k === kind)![1] as keyof DynaliteCase['expressions'];

// ---- fixture requests ------------------------------------------------------------------------

const ENTRY_OPS: Record<string, Op> = { Update: 'update', Put: 'put', Delete: 'delete', ConditionCheck: 'delete', Get: 'get' };
const CALL_OPS: Record<string, Op> = { query: 'query', scan: 'scan', get_item: 'get', put_item: 'put', update_item: 'update', delete_item: 'delete', batch_get_item: 'get' };

function known(d: DictState): boolean {
  return d.state === 'absent' || (d.state === 'known' && d.complete);
}

/** Key attributes a key condition uses, partition (equality) first. */
function keyConditionSchema(analyses: readonly ExprAnalysis[], names: Record<string, string> | undefined): KeySchema {
  const key = analyses.find((a) => a.spec.kind === 'key');
  const terms: Array<{ attr: string; eq: boolean }> = [];
  const visit = (n: ExprNode): void => {
    if (n.type === 'and' || n.type === 'or') { visit(n.left); visit(n.right); return; }
    if (n.type === 'paren') { visit(n.inner); return; }
    if (n.type === 'not') { visit(n.arg); return; }
    const paths = (n.type === 'compare' || n.type === 'between' || n.type === 'function') ? pathsOf(n) : [];
    const head = paths[0]?.elements[0];
    if (!head || head.kind === 'index') return;
    const attr = head.kind === 'name' ? head.name : names?.[head.name] ?? head.name;
    terms.push({ attr, eq: n.type === 'compare' && n.op === '=' });
  };
  if (key?.root && key.root.type !== 'update' && key.root.type !== 'projection') visit(key.root);
  const hash = terms.find((t) => t.eq)?.attr ?? 'dg_pk';
  const range = terms.find((t) => t.attr !== hash)?.attr ?? 'dg_sk';
  return { hash, range };
}

/** The request a fixture's table call sends, or why it cannot be sent as is. */
function toCase(site: RequestSite, file: string): DynaliteCase | string {
  const { spec, analyses } = site;
  if (spec.opaque) return 'an expression is not a constant string';
  if (analyses.some((a) => !a.complete)) return 'an f-string with interpolations';
  if (!known(spec.names) || !known(spec.values)) return 'ExpressionAttributeNames/Values not statically known';
  let op: Op | undefined;
  if (site.containerKind === 'call') op = CALL_OPS[site.call.method];
  else {
    const holder = site.container.parent;
    const kind = holder?.type === 'pair' ? holder.children.find((c) => c.field === 'key') : undefined;
    const text = kind ? file.slice(kind.start + 1, kind.end - 1) : '';
    op = site.call.method === 'batch_get_item' ? 'get' : ENTRY_OPS[text];
  }
  if (!op) return `operation ${site.call.method} is not sent`;
  if (op === 'query' && !spec.exprs.some((e) => e.kind === 'key')) return 'a query without a string key condition';
  const c: DynaliteCase = { id: '', op, expressions: {}, schema: { hash: 'dg_pk' } };
  site.exprs.forEach((e, i) => { c.expressions[labelOf(e.kind)] = spec.exprs[i]!.text; });
  if (spec.names.state === 'known') c.names = Object.fromEntries([...spec.names.entries].map(([k, v]) => [k, v ?? `dg_${k.slice(1)}`]));
  if (spec.values.state === 'known') c.values = synthesizeValues(spec.values.entries.keys(), analyses);
  if (spec.keySchema) c.schema = { hash: spec.keySchema[0]!, ...(spec.keySchema[1] ? { range: spec.keySchema[1] } : {}) };
  else if (op === 'query') c.schema = keyConditionSchema(analyses, c.names);
  return c;
}

// ---- generated requests ------------------------------------------------------------------------

/** mulberry32: small, seeded, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLAIN = ['title', 'price_cents', 'score', 'views_total', 'updated_at', 'bio', 'tags', 'email', 'version', 'display_name', 'archived', 'color', 'rating', 'meta', 'history'];
const RESERVED = ['status', 'data', 'name', 'count', 'date', 'user', 'type', 'value', 'timestamp', 'comment', 'level', 'size', 'year', 'region', 'source'];
const CONDITION_JUNK = ['AND', 'OR', ',', '=', '(', ')', '==', ':', '#', '[0]', '.', ';', 'BETWEEN', 'IN', 'attribute_exists', '+'];
const UPDATE_JUNK = ['SET', 'REMOVE', 'ADD', ',', '=', '(', ')', '+', ':', '#', '[0]', '.', 'DELETE', 'list_append'];

interface GenCase {
  op: Op;
  exprs: Array<{ kind: ExprKind; text: string }>;
  names: Map<string, string>;
  values: Set<string>;
  schema: KeySchema;
  index?: KeySchema;
  mutation: string;
}

class Generator {
  private n = 0;
  names = new Map<string, string>();
  values = new Set<string>();

  constructor(private readonly rnd: () => number) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  attr(): string {
    return this.chance(0.25) ? this.pick(RESERVED) : this.pick(PLAIN);
  }

  element(attr = this.attr()): string {
    if (!this.chance(0.25)) return attr;
    const ph = `#${attr.slice(0, 3)}${++this.n}`;
    this.names.set(ph, attr);
    return ph;
  }

  path(depth = this.chance(0.3) ? 2 : 1, head?: string): string {
    let p = this.element(head);
    for (let i = 1; i < depth; i++) p += this.chance(0.3) ? `[${Math.floor(this.rnd() * 3)}]` : `.${this.element()}`;
    return p;
  }

  value(): string {
    const v = `:v${++this.n}`;
    this.values.add(v);
    return v;
  }

  operand(): string {
    const r = this.rnd();
    if (r < 0.55) return this.value();
    if (r < 0.85) return this.path();
    return `size(${this.path()})`;
  }

  comparison(): string {
    const r = this.rnd();
    if (r < 0.35) return `${this.path()} ${this.pick(['=', '<>', '<', '<=', '>', '>='])} ${this.operand()}`;
    if (r < 0.45) return `${this.path()} BETWEEN ${this.value()} AND ${this.value()}`;
    if (r < 0.55) return `${this.path()} IN (${this.value()}, ${this.value()})`;
    if (r < 0.65) return `attribute_exists(${this.path()})`;
    if (r < 0.72) return `attribute_not_exists(${this.path()})`;
    if (r < 0.8) return `begins_with(${this.path()}, ${this.value()})`;
    if (r < 0.88) return `contains(${this.path()}, ${this.value()})`;
    if (r < 0.93) return `attribute_type(${this.path()}, ${this.value()})`;
    return `size(${this.path()}) ${this.pick(['=', '<', '>='])} ${this.value()}`;
  }

  condition(depth = 0): string {
    const r = this.rnd();
    if (depth < 2 && r < 0.2) return `${this.condition(depth + 1)} AND ${this.condition(depth + 1)}`;
    if (depth < 2 && r < 0.32) return `${this.condition(depth + 1)} OR ${this.condition(depth + 1)}`;
    if (depth < 2 && r < 0.38) return `NOT ${this.chance(0.5) ? `(${this.condition(depth + 1)})` : this.comparison()}`;
    if (depth < 2 && r < 0.44) return `(${this.condition(depth + 1)})`;
    return this.comparison();
  }

  update(): string {
    const used = new Set<string>();
    const target = () => {
      let attr = this.attr();
      for (let i = 0; i < 5 && used.has(attr); i++) attr = this.attr();
      used.add(attr);
      return this.path(this.chance(0.25) ? 2 : 1, attr);
    };
    const clauses: string[] = [];
    if (this.chance(0.8)) {
      const actions = Array.from({ length: 1 + Math.floor(this.rnd() * 3) }, () => {
        const t = target();
        const r = this.rnd();
        const v = r < 0.5 ? this.value()
          : r < 0.65 ? `${this.path()} ${this.pick(['+', '-'])} ${this.value()}`
            : r < 0.8 ? `if_not_exists(${this.path()}, ${this.value()})`
              : r < 0.9 ? `list_append(${this.path()}, ${this.value()})`
                : this.path();
        return `${t} = ${v}`;
      });
      clauses.push(`SET ${actions.join(', ')}`);
    }
    if (this.chance(0.35)) clauses.push(`REMOVE ${Array.from({ length: 1 + Math.floor(this.rnd() * 2) }, target).join(', ')}`);
    if (this.chance(0.25)) clauses.push(`ADD ${target()} ${this.value()}`);
    if (this.chance(0.15)) clauses.push(`DELETE ${target()} ${this.value()}`);
    if (!clauses.length) clauses.push(`REMOVE ${target()}`);
    for (let i = clauses.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [clauses[i], clauses[j]] = [clauses[j]!, clauses[i]!];
    }
    return clauses.join(' ');
  }

  projection(): string {
    const heads = [...new Set(Array.from({ length: 1 + Math.floor(this.rnd() * 4) }, () => this.attr()))];
    return heads.map((h) => this.path(this.chance(0.2) ? 2 : 1, h)).join(', ');
  }

  keyCondition(k: KeySchema): string {
    const pk = `${this.element(k.hash)} = ${this.value()}`;
    const sk = this.element(k.range!);
    const r = this.rnd();
    const sort = r < 0.3 ? '' : r < 0.5 ? `${sk} ${this.pick(['=', '<', '<=', '>', '>='])} ${this.value()}`
      : r < 0.75 ? `${sk} BETWEEN ${this.value()} AND ${this.value()}` : `begins_with(${sk}, ${this.value()})`;
    return sort ? (this.chance(0.5) ? `${pk} AND ${sort}` : `${sort} AND ${pk}`) : pk;
  }
}

const TABLE: KeySchema = { hash: 'pk', range: 'sk' };
const INDEX: KeySchema = { hash: 'gsi_pk', range: 'gsi_sk' };

/** Mutations that make a valid request invalid the way real code goes wrong. */
function mutate(g: Generator, c: GenCase): void {
  const rnd = () => g.chance(0.5);
  const e = g.pick(c.exprs);
  const words = e.text.split(' ');
  const pos = Math.floor((words.length + 1) * (g.pick([0.1, 0.3, 0.5, 0.7, 0.9])));
  const key = c.exprs.find((x) => x.kind === 'key');
  const choices: Array<[string, () => void]> = [
    ['drop a :value', () => { const v = [...c.values]; if (v.length) c.values.delete(g.pick(v)); }],
    ['unused :value', () => { c.values.add(':unused'); }],
    ['drop a #name', () => { const n = [...c.names.keys()]; if (n.length) c.names.delete(g.pick(n)); }],
    ['unused #name', () => { c.names.set('#unused', 'spare'); }],
    ['key without its sigil', () => { const v = [...c.values]; if (v.length) { const k = g.pick(v); c.values.delete(k); c.values.add(k.slice(1)); } }],
    ['drop a word', () => { words.splice(Math.min(pos, words.length - 1), 1); e.text = words.join(' '); }],
    ['insert junk', () => { words.splice(pos, 0, g.pick(e.kind === 'update' ? UPDATE_JUNK : CONDITION_JUNK)); e.text = words.join(' '); }],
    ['misspell a function', () => { e.text = e.text.replace(/\b(attribute_exists|begins_with|contains|size|if_not_exists|list_append)\(/, (m) => (rnd() ? m.toUpperCase() : m.replace('_', ''))); }],
    ['double parentheses', () => { if (e.kind !== 'update' && e.kind !== 'projection') e.text = `((${e.text}))`; }],
    ['double parentheses around an operand', () => { e.text = e.text.replace(/(:v\d+)(?!.*:v\d)/, '(($1))'); }],
    ['compare with itself', () => { e.text = e.text.replace(/([#\w.[\]]+) (=|<>|<|<=|>|>=) ([#\w.[\]:]+)/, '$1 $2 $1'); }],
    ['function as an operand', () => {
      const before = e.text;
      e.text = e.text.replace(/(attribute_exists|begins_with|contains)\(([^()]*)\)/, '$1($2) = :fx');
      if (e.text !== before) c.values.add(':fx');
    }],
    ['size() as a condition', () => { if (e.kind !== 'update' && e.kind !== 'projection') e.text = `${e.text} AND size(${g.path()})`; }],
    ['keyword as a name', () => { e.text = e.text.replace(/\b(title|score|bio|email|color)\b/, g.pick(['and', 'or', 'not', 'between', 'in', 'set', 'remove', 'add', 'delete'])); }],
    ['lower-case keywords and odd spacing', () => { e.text = e.text.replace(/\b(AND|OR|NOT|BETWEEN|IN|SET|REMOVE|ADD|DELETE)\b/g, (m) => m.toLowerCase()).replace(/ /g, () => g.pick([' ', '  ', '\t', '\n', ' '])); }],
    ['key attribute path', () => { e.text = e.text.replace(/\b(title|score|bio|email|color|version)\b/, g.pick(['pk', 'sk', 'pk.inner', 'sk[0]'])); }],
    ['overlap through a #name', () => {
      if (e.kind !== 'update') return;
      const m = /(?:SET|REMOVE|ADD|DELETE) ([\w]+)\b/.exec(e.text);
      if (m) { c.names.set('#same', m[1]!); e.text = `${e.text}${/REMOVE/.test(e.text) ? ', ' : ' REMOVE '}#same`; }
    }],
  ];
  if (key) {
    choices.push(
      ['key: OR', () => { key.text = key.text.replace(' AND ', ' OR '); }],
      ['key: NOT', () => { key.text = key.text.replace(/^/, 'NOT '); }],
      ['key: <> / < on a key', () => { key.text = key.text.replace(' = ', g.pick([' <> ', ' < ', ' >= '])); }],
      ['key: IN', () => { key.text = `${key.text} AND ${c.index ? INDEX.range : TABLE.range} IN (${g.value()}, ${g.value()})`; }],
      ['key: contains', () => { key.text = `${key.text.split(' AND ')[0]} AND contains(${c.index ? INDEX.range : TABLE.range}, ${g.value()})`; }],
      ['key: attribute_exists', () => { key.text = `${key.text.split(' AND ')[0]} AND attribute_exists(${c.index ? INDEX.range : TABLE.range})`; }],
      ['key: a third condition', () => { key.text = `${key.text} AND ${g.path()} = ${g.value()}`; }],
      ['key: sort key only', () => { key.text = `${c.index ? INDEX.range : TABLE.range} = ${g.value()}`; }],
      ['key: nested', () => { key.text = key.text.replace(/^(\S+) =/, '$1.x ='); }],
    );
  }
  const update = c.exprs.find((x) => x.kind === 'update');
  if (update) {
    choices.push(
      ['update: another clause', () => { update.text += g.chance(0.5) ? ` SET extra_attr = ${g.value()}` : ' REMOVE extra_attr'; }],
      ['update: overlapping paths', () => {
        const m = /(?:SET|REMOVE|ADD|DELETE) ([#\w]+)/.exec(update.text);
        if (m) update.text = `${update.text}${/REMOVE/.test(update.text) ? ', ' : ' REMOVE '}${m[1]}`;
      }],
    );
  }
  // GetItem has no ExpressionAttributeValues parameter at all (boto3 refuses it before sending).
  // An index's key schema is not known statically: which attribute is its partition key cannot be judged.
  const usable = choices.filter(([n]) => !(c.op === 'get' && /value|sigil/.test(n)) && !(c.index && /third|<>|sort key only/.test(n)));
  const [name, apply] = g.pick(usable);
  apply();
  c.mutation = name;
}

function generate(g: Generator): GenCase {
  g.names = new Map();
  g.values = new Set();
  const roll = g.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  let op: Op;
  const exprs: GenCase['exprs'] = [];
  let index: KeySchema | undefined;
  if (roll < 3) {
    op = 'update';
    exprs.push({ kind: 'update', text: g.update() });
    if (g.chance(0.5)) exprs.push({ kind: 'condition', text: g.condition() });
  } else if (roll < 4) {
    op = g.pick(['put', 'delete'] as const);
    exprs.push({ kind: 'condition', text: g.condition() });
  } else if (roll < 6) {
    op = 'scan';
    if (g.chance(0.8)) exprs.push({ kind: 'filter', text: g.condition() });
    if (!exprs.length || g.chance(0.5)) exprs.push({ kind: 'projection', text: g.projection() });
  } else if (roll < 9) {
    op = 'query';
    if (roll === 8) index = INDEX;
    exprs.push({ kind: 'key', text: g.keyCondition(index ?? TABLE) });
    if (g.chance(0.4)) exprs.push({ kind: 'filter', text: g.condition() });
    if (g.chance(0.4)) exprs.push({ kind: 'projection', text: g.projection() });
  } else {
    op = 'get';
    exprs.push({ kind: 'projection', text: g.projection() });
  }
  const c: GenCase = { op, exprs, names: g.names, values: g.values, schema: TABLE, mutation: 'none' };
  if (index) c.index = index;
  if (g.chance(0.45)) mutate(g, c);
  return c;
}

function specOf(c: GenCase): RequestSpec {
  const spec: RequestSpec = {
    operation: c.op,
    exprs: c.exprs.map((e) => ({ kind: e.kind, text: e.text })),
    // An empty dict is left out of the request, as code that builds them usually does.
    names: c.names.size ? { state: 'known', entries: new Map(c.names), complete: true } : { state: 'absent' },
    values: c.values.size ? { state: 'known', entries: new Map([...c.values].map((v) => [v, undefined])), complete: true } : { state: 'absent' },
  };
  // The table's schema is known (as from a create_table call); an index's is not.
  if (!c.index) spec.keySchema = [c.schema.hash, c.schema.range!];
  return spec;
}

function toGeneratedCase(c: GenCase, analyses: readonly ExprAnalysis[], id: string): DynaliteCase {
  const d: DynaliteCase = { id, op: c.op, expressions: {}, schema: c.schema };
  if (c.index) d.index = c.index;
  for (const e of c.exprs) d.expressions[labelOf(e.kind)] = e.text;
  const spec = specOf(c);
  if (spec.names.state === 'known') d.names = Object.fromEntries(c.names);
  if (spec.values.state === 'known') d.values = synthesizeValues(c.values, analyses);
  return d;
}

// ---- the tests ---------------------------------------------------------------------------------

describe('expressions: DynamoGuard vs dynalite', function () {
  this.timeout(60_000);
  let harness: DynaliteHarness;
  let analyzer: Analyzer;

  before(async function () {
    harness = await DynaliteHarness.start();
    analyzer = await Analyzer.create();
  });

  after(async function () {
    await harness?.close();
  });

  it('agrees on every statically known request of the DG402-DG404 fixtures (and the rules report exactly those issues)', async function () {
    const compared: Compared[] = [];
    const skipped = new Map<string, number>();
    const mismatches: string[] = [];
    for (const dir of FIXTURE_DIRS) {
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir).filter((f) => FIXTURE.test(f)).sort()) {
        const rel = path.relative(REPO_ROOT, path.join(dir, file));
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        const doc = analyzer.createDocument(text);
        try {
          const facts = computeFacts(doc, DEFAULT_SETTINGS);
          const sites = requestSites(facts);
          // The rules' findings are exactly the request issues, placed where issueRange says.
          const key = (rule: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
            `${rule}@${r.start.line + 1}:${r.start.character}-${r.end.line + 1}:${r.end.character}`;
          const fromSites = new Set(sites.flatMap((s) => s.issues.map((i) => key(i.rule, issueRange(facts, s, i)))));
          const fromRules = new Set(analyzer.analyzeDocument(doc, {}).findings.filter((f) => /^DG40[234]$/.test(f.rule)).map((f) => key(f.rule, f.range)));
          const missing = [...fromSites].filter((k) => !fromRules.has(k));
          const extra = [...fromRules].filter((k) => !fromSites.has(k));
          if (missing.length || extra.length) mismatches.push(`${rel}: not reported ${missing.join(', ')}; reported without an issue ${extra.join(', ')}`);
          for (const site of sites) {
            const c = toCase(site, text);
            const line = site.call.methodNode.startRow + 1;
            if (typeof c === 'string') {
              skipped.set(c, (skipped.get(c) ?? 0) + 1);
              continue;
            }
            c.id = `${rel}:${line} ${site.call.method}${site.containerKind === 'entry' ? ' (entry)' : ''} ${JSON.stringify(c.expressions)}`;
            compared.push(await compare(harness, c.id, c, site.issues));
          }
        } finally {
          doc.dispose();
        }
      }
    }
    const disagreements = compared.filter((c) => !agree(c));
    const rejected = compared.filter((c) => c.theirs !== undefined).length;
    console.log(`      fixture requests: ${compared.length} sent (${rejected} rejected by dynalite), ${compared.length - disagreements.length}/${compared.length} agree; not sent: ${[...skipped].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
    assert.deepStrictEqual(mismatches, [], 'rule findings differ from the request issues');
    assert.ok(compared.length >= 60, `only ${compared.length} fixture requests could be sent`);
    assert.ok(rejected >= 30 && compared.length - rejected >= 30, `fixtures should have both accepted and rejected requests (${rejected} rejected)`);
    assert.strictEqual(disagreements.length, 0, `disagreements:\n    ${disagreements.map(explain).join('\n    ')}`);
  });

  it(`agrees on >= ${MIN_GENERATED_AGREEMENT * 100}% of ${GENERATED} generated requests (seeded)`, async function () {
    const g = new Generator(prng(SEED));
    const compared: Compared[] = [];
    const byMutation = new Map<string, [number, number]>();
    for (let i = 0; i < GENERATED; i++) {
      const c = generate(g);
      const spec = specOf(c);
      const { issues, analyses } = checkRequest(spec);
      const id = `#${i} ${c.op}${c.index ? ' (index)' : ''} [${c.mutation}] ${JSON.stringify(Object.fromEntries(c.exprs.map((e) => [labelOf(e.kind), e.text])))} names=${JSON.stringify(Object.fromEntries(c.names))} values=${JSON.stringify([...c.values])}`;
      const result = await compare(harness, id, toGeneratedCase(c, analyses, id), issues);
      compared.push(result);
      const [n, ok] = byMutation.get(c.mutation) ?? [0, 0];
      byMutation.set(c.mutation, [n + 1, ok + (agree(result) ? 1 : 0)]);
    }
    const disagreements = compared.filter((c) => !agree(c));
    const rejected = compared.filter((c) => c.theirs !== undefined).length;
    const rate = (compared.length - disagreements.length) / compared.length;
    console.log(`      generated requests: ${compared.length - disagreements.length}/${compared.length} agree (${(rate * 100).toFixed(2)}%), ${rejected} rejected by dynalite`);
    console.log(`      by mutation: ${[...byMutation].sort().map(([m, [n, ok]]) => `${m} ${ok}/${n}`).join(', ')}`);
    for (const d of disagreements) console.log(`      DISAGREE ${explain(d)}`);
    assert.ok(rejected > GENERATED * 0.25 && rejected < GENERATED * 0.85, `the generator should produce both kinds (${rejected} rejected)`);
    assert.ok(rate >= MIN_GENERATED_AGREEMENT, `agreement ${(rate * 100).toFixed(2)}% < ${MIN_GENERATED_AGREEMENT * 100}%:\n    ${disagreements.map(explain).join('\n    ')}`);
  });
});
