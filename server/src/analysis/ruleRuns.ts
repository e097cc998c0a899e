import type { DynamoGuardSettings } from '../protocol';
import type { FileFacts, FunctionFacts } from './model/facts';
import { summaryKey } from './model/summarize';
import type { SyntaxNode } from './parse/syntax';
import { errorClassesOf, nonLiteralRaises } from './facts/errors';
import type { Report, RuleModule } from './rules/rule';
import type { Fix, Range, RelatedLocation } from './types';

// Rule findings cached per function, so that a keystroke re-runs the rules only over the
// functions it changed. A function's facts object is reused by the engine exactly while its
// text, its module context and every summary it read are unchanged (model/engine.ts); the
// findings a function-scoped rule reports from those facts are then unchanged too, apart from
// positions, which move with the function.

/**
 * Rules whose findings inside a function come from that function's facts and the module context
 * alone, with what else they read of the whole file (compared before reusing findings). Rules not
 * listed read other functions or the whole text (callers, call sites, text-wide searches) and run
 * over the whole file every time. `ruleRuns.test.ts` checks on every fixture that running a
 * listed rule function by function reports what one run over the file does.
 */
const FUNCTION_SCOPED: Readonly<Record<string, (facts: FileFacts) => string>> = {
  DG103: () => '',
  DG104: () => '',
  DG105: () => '',
  DG106: () => '',
  // Curated exception classes (facts/errors.ts) read every `raise` and class of the module; other
  // modules' part comes through the workspace version, which already keys the facts object.
  DG204: (facts) => `${facts.text.includes('abort(') ? 1 : 0}:${JSON.stringify(errorClassesOf(facts.text, facts.module))}:${[...nonLiteralRaises(facts.text, facts.module)].sort().join(',')}`,
  DG205: () => '',
  DG302: () => '',
  DG303: () => '',
  DG304: () => '',
  DG402: () => '',
  DG403: () => '',
  DG404: () => '',
  DG406: () => '',
  DG407: () => '',
};

export function isFunctionScoped(code: string): boolean {
  return code in FUNCTION_SCOPED;
}

/** A report kept for reuse: plain ranges are stored relative to the function's first row. */
interface Kept {
  report: Report;
  /** Row of the function when recorded: plain ranges shift by the function's move since. */
  row: number;
}

interface Entry {
  env: string;
  col: number;
  kept: Kept[];
  /** Top-level summaries the rule read, with their digests when read. */
  reads: Map<string, string>;
}

/** Marks a kept report that had fixes (made again on request from the current file). */
const HAS_FIXES: Fix[] = [];

const perFunction = new WeakMap<FunctionFacts, Map<string, Entry>>();

/** The file's facts as a rule sees them when checking one function (or, with none, module-level code only). */
function view(facts: FileFacts, fn: FunctionFacts | undefined, reads?: { names: Map<string, string>; opaque: boolean }): FileFacts {
  const v: FileFacts = { ...facts, functions: fn ? [fn] : [], handlers: fn?.handler ? [fn] : [], moduleCalls: fn ? [] : facts.moduleCalls };
  if (!reads) return v;
  // What a rule reads of other functions through the facts must be unchanged for its findings to be reused.
  v.summary = (name) => {
    const s = facts.summary(name);
    reads.names.set(name, summaryKey(name, s));
    return s;
  };
  v.methodSummary = (className, method, attrs) => {
    reads.opaque = true;
    return facts.methodSummary(className, method, attrs);
  };
  v.initTemplate = (className) => {
    reads.opaque = true;
    return facts.initTemplate(className);
  };
  return v;
}

function inside(fn: FunctionFacts, r: Range): boolean {
  const o = fn.fn.outer;
  return r.start.line >= o.startRow && r.end.line <= o.endRow;
}

function nodeInside(fn: FunctionFacts, n: SyntaxNode): boolean {
  const o = fn.fn.outer;
  return n.start >= o.start && n.end <= o.end;
}

function shift(r: Range, rows: number): Range {
  return rows === 0 ? r : { start: { line: r.start.line + rows, character: r.start.character }, end: { line: r.end.line + rows, character: r.end.character } };
}

/**
 * Whether a report can be kept with the function: everything it points at in this file lies
 * inside it, and no line number is written into its text (`on line 12` would not move with it).
 */
function keepable(fn: FunctionFacts, r: Report): boolean {
  const anchored = 'type' in r.node ? nodeInside(fn, r.node) : inside(fn, r.node);
  if (!anchored || Object.keys(r.data ?? {}).some((k) => LINE.test(k))) return false;
  return (r.related ?? []).every((l: RelatedLocation) => (l.path !== undefined || inside(fn, l.range)) && !LINE.test(l.message));
}

const LINE = /line/i;

function identity(r: Report): string {
  const range = 'type' in r.node ? `n${r.node.start}` : JSON.stringify(r.node);
  return `${r.messageId}\u0001${JSON.stringify(r.data ?? {})}\u0001${range}`;
}

function fixesOf(r: Report): Fix[] {
  return typeof r.fixes === 'function' ? r.fixes() : r.fixes ?? [];
}

/**
 * Run `rule` over the file, reusing the findings of every function whose facts and reads are
 * unchanged since the last run. Function-by-function runs are for documents analysed again
 * (the editor); a one-off analysis runs each rule once over the file.
 */
export function runRule(rule: RuleModule, facts: FileFacts, settings: DynamoGuardSettings, report: (r: Report) => void, incremental: boolean): void {
  const code = rule.meta.code;
  const envOf = FUNCTION_SCOPED[code];
  if (!incremental || !envOf) {
    rule.check({ facts, settings, report });
    return;
  }
  const env = envOf(facts);
  rule.check({ facts: view(facts, undefined), settings, report });
  for (const fn of facts.functions) {
    const row = fn.fn.outer.startRow;
    let entries = perFunction.get(fn);
    const entry = entries?.get(code);
    if (entry && entry.env === env && entry.col === fn.fn.outer.startCol && [...entry.reads].every(([name, key]) => summaryKey(name, facts.summary(name)) === key)) {
      for (const k of entry.kept) report(reused(rule, facts, settings, k, row - k.row));
      continue;
    }
    const reads = { names: new Map<string, string>(), opaque: false };
    const got: Report[] = [];
    rule.check({ facts: view(facts, fn, reads), settings, report: (r) => got.push(r) });
    for (const r of got) report(withWholeFileFixes(rule, facts, settings, r));
    if (reads.opaque || !got.every((r) => keepable(fn, r))) {
      entries?.delete(code);
      continue;
    }
    if (!entries) perFunction.set(fn, (entries = new Map()));
    // Without the rule's own fix closures: they hold the whole facts of this run alive.
    const kept = got.map((r) => ({ report: r.fixes === undefined ? r : { ...r, fixes: HAS_FIXES }, row }));
    entries.set(code, { env, col: fn.fn.outer.startCol, kept, reads: reads.names });
  }
}

/**
 * A kept report at the function's current place. Its fixes were computed from an older text, and
 * a fix may read the whole file (the caller identity other handlers use): they are made again,
 * on first request, from one run of the rule over the current file.
 */
function reused(rule: RuleModule, facts: FileFacts, settings: DynamoGuardSettings, k: Kept, rows: number): Report {
  const r = k.report;
  const out: Report = { ...r, node: 'type' in r.node ? r.node : shift(r.node, rows) };
  if (r.related) out.related = r.related.map((l) => (l.path !== undefined ? l : { ...l, range: shift(l.range, rows) }));
  return withWholeFileFixes(rule, facts, settings, out);
}

const wholeFileRuns = new WeakMap<FileFacts, Map<string, Map<string, Report>>>();

function withWholeFileFixes(rule: RuleModule, facts: FileFacts, settings: DynamoGuardSettings, r: Report): Report {
  if (r.fixes === undefined) return r;
  const want = identity(r);
  return {
    ...r,
    fixes: () => {
      let runs = wholeFileRuns.get(facts);
      if (!runs) wholeFileRuns.set(facts, (runs = new Map()));
      let byIdentity = runs.get(rule.meta.code);
      if (!byIdentity) {
        const found = new Map<string, Report>();
        rule.check({ facts, settings, report: (fresh) => found.set(identity(fresh), fresh) });
        runs.set(rule.meta.code, (byIdentity = found));
      }
      const match = byIdentity.get(want);
      return match ? fixesOf(match) : [];
    },
  };
}
