import type { Parser } from 'web-tree-sitter';
import type { DynamoGuardSettings } from '../protocol';
import { DEFAULT_SETTINGS, isRuleEnabled, severityFor } from './config/config';
import { infraReady } from './infra/languages';
import { EditBuilder } from './fixes/edits';
import { layoutFix } from './fixes/layout';
import { computeFacts, computeFactsSteps, drain, type BudgetLimits } from './model/engine';
import type { FileFacts, TableCall } from './model/facts';
import type { WorkspaceIndex } from './model/workspace';
import { PyDocument, type ContentChange } from './parse/document';
import { createParser } from './parse/parser';
import { ruleDocsDirectory } from './platform';
import { runRule } from './ruleRuns';
import { RULES } from './rules';
import { formatMessage, type Report } from './rules/rule';
import { checkText } from './source';
import { isSuppressed, parseSuppressions } from './suppressions';
import type { AnalysisResult, Finding, Fix, Range, RelatedLocation, TextEdit } from './types';

const analysedBefore = new WeakSet<PyDocument>();

export const REPOSITORY_URL = 'https://github.com/dynamo-guard/dynamo-guard';

/** Public documentation page of a rule (codeDescription, SARIF helpUri). */
export function ruleDocUrl(code: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${code}.md`;
}

/** The rule page shipped with this build (bundle: dist/docs/rules, dev: <repo>/docs/rules). */
export function ruleDocPath(code: string): string {
  return `${ruleDocsDirectory()}/${code}.md`;
}

/** At most this many findings are reported on one line, and in one file. */
export const MAX_FINDINGS_PER_LINE = 20;
export const MAX_FINDINGS_PER_FILE = 2000;

export interface AnalyzeOptions {
  settings?: DynamoGuardSettings;
  /** Cross-file knowledge (auth functions, tables, guard helpers defined in other modules). */
  workspace?: WorkspaceIndex;
  /** Absolute path of the file, used to resolve relative imports through the workspace index. */
  path?: string;
  /** Work limits of the analysis (defaults: engine.ts DEFAULT_BUDGET). */
  budget?: BudgetLimits;
}

/**
 * The one entry point shared by the language server, the CLI and the tests. It owns a tree-sitter
 * parser; create it once per process (or worker) with `Analyzer.create()`.
 */
export class Analyzer {
  private constructor(private readonly parser: Parser) {}

  static async create(): Promise<Analyzer> {
    const parser = await createParser();
    // Infrastructure readers (Terraform grammar, CDK via Python) must be usable synchronously by rules.
    await infraReady();
    return new Analyzer(parser);
  }

  /** A document kept in sync with `PyDocument.applyChanges` for incremental re-analysis. */
  createDocument(text: string): PyDocument {
    return new PyDocument(this.parser, text);
  }

  analyzeText(text: string, options: AnalyzeOptions = {}): AnalysisResult {
    const settings = options.settings ?? DEFAULT_SETTINGS;
    const tooBig = checkText(text, settings.maxFileSizeKb);
    if (tooBig) return { findings: [], skipped: tooBig, lines: countLines(text) };
    const doc = this.createDocument(text);
    try {
      return this.analyzeDocument(doc, options);
    } finally {
      doc.dispose();
    }
  }

  analyzeDocument(doc: PyDocument, options: AnalyzeOptions = {}): AnalysisResult {
    return drain(this.analyzeSteps(doc, options));
  }

  /**
   * analyzeDocument in steps (it yields between functions): the language server drives it in
   * time slices and drops it when a newer edit makes it stale. Plain JS, no Node-only API, so it
   * runs the same in a web worker.
   */
  *analyzeSteps(doc: PyDocument, options: AnalyzeOptions = {}): Generator<void, AnalysisResult> {
    const settings = options.settings ?? DEFAULT_SETTINGS;
    const lines = countLines(doc.text);
    const tooBig = checkText(doc.text, settings.maxFileSizeKb);
    if (tooBig) return { findings: [], skipped: tooBig, lines };
    const suppressions = parseSuppressions(doc.text);
    if (suppressions.file) return { findings: [], lines };
    this.attachLoader(options.workspace, settings);
    const facts = yield* computeFactsSteps(doc, settings, options.workspace, options.path, false, options.budget);
    // A document analysed again (the editor's) keeps rule findings per function for the next run.
    const incremental = analysedBefore.has(doc);
    analysedBefore.add(doc);
    const findings: Finding[] = [];
    // Caps so that generated or hostile code (50,000 implicitly concatenated strings on one line)
    // yields a readable report and bounded work; `truncated` says how much was left out.
    const perLine = new Map<number, number>();
    const seen = new Set<string>();
    let dropped = 0;
    const layers = layerAnchors(facts);
    // Rules write fixes as plain text; lines that come out too long are laid out as Black would.
    const layout = (fixes: Fix[]) => fixes.map((f) => layoutFix(facts.text, f, new EditBuilder(facts).indentUnit()));
    for (const rule of RULES) {
      const code = rule.meta.code;
      if (!isRuleEnabled(code, settings)) continue;
      const override = severityFor(code, settings);
      const severity = override && override !== 'off' ? override : rule.meta.defaultSeverity;
      runRule(rule, facts, settings, (r: Report) => {
        const range = 'type' in r.node ? nodeRange(r.node) : r.node;
        if (isSuppressed(suppressions, range.start.line, code)) return;
        const template = rule.messages[r.messageId];
        if (template === undefined) throw new Error(`${code}: unknown messageId ${r.messageId}`);
        const message = formatMessage(template, r.data);
        // One call into a layer may reach the same defect along two paths: one squiggle, not two.
        const key = `${code}:${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}:${message}`;
        if (seen.has(key)) return;
        seen.add(key);
        const onLine = perLine.get(range.start.line) ?? 0;
        if (onLine >= MAX_FINDINGS_PER_LINE) {
          dropped++;
          return;
        }
        perLine.set(range.start.line, onLine + 1);
        // Several DynamoDB calls may sit behind one call into a layer: the one the message names.
        const candidates = 'type' in r.node ? layers.get(r.node) : undefined;
        const layer = candidates?.find((c) => message.includes(`\`${c.method}\``)) ?? candidates?.[0];
        // Fixes of a finding whose DynamoDB call is in another file would edit this file at that
        // file's offsets: only same-file layers keep them.
        const crossFile = !!layer?.via?.some((h) => h.path);
        findings.push(withLazyFixes({
          rule: code,
          name: rule.meta.name,
          severity,
          message,
          range,
          related: layer ? [...(r.related ?? []), ...viaRelated(layer, options.path)] : r.related ?? [],
        }, crossFile ? [] : r.fixes, layout));
      }, incremental);
      // A time-sliced caller may answer requests, or drop a run made stale, between rules too.
      yield;
    }
    findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule));
    // The file cap keeps the first findings in source order, whatever rule found them.
    if (findings.length > MAX_FINDINGS_PER_FILE) {
      dropped += findings.length - MAX_FINDINGS_PER_FILE;
      findings.length = MAX_FINDINGS_PER_FILE;
    }
    const result: AnalysisResult = { findings, lines, work: facts.work };
    if (facts.errors.length) result.errors = facts.errors;
    if (dropped > 0) result.truncated = dropped;
    return result;
  }

  /** Lets the workspace index read other modules' facts (layers) through this analyzer's parser. */
  private attachLoader(workspace: WorkspaceIndex | undefined, settings: DynamoGuardSettings): void {
    const ws = workspace as (WorkspaceIndex & { hasFactsLoader?: boolean; setFactsLoader?(l: (file: string, full?: boolean) => FileFacts | undefined): void }) | undefined;
    if (!ws?.setFactsLoader || ws.hasFactsLoader) return;
    // `full`: every function's facts too (callers of a layer, ownership evidence in other modules).
    ws.setFactsLoader((file, full = false) => {
      let text: string;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fs = require('fs') as typeof import('fs');
        if (fs.statSync(file).size > settings.maxFileSizeKb * 1024) return undefined;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
      if (checkText(text, settings.maxFileSizeKb)) return undefined;
      // Facts live on without the syntax tree: summaries are computed on demand from the mirrored units.
      const doc = this.createDocument(text);
      try {
        return computeFacts(doc, settings, ws, file, !full, { timeMs: 2_000 });
      } finally {
        doc.dispose();
      }
    });
  }

  /**
   * Apply every safe fix, re-analysing between rounds (ESLint's multipass) so fixes that touch
   * the same lines (imports, the same call) never collide. Returns the new text. `unsafe` also
   * applies fixes not marked safe (the CLI's --unsafe-fixes; never the editor's fix-all).
   */
  fixAll(text: string, options: AnalyzeOptions = {}, maxPasses = 10, unsafe = false): { text: string; fixed: number } {
    let current = text;
    let fixed = 0;
    const seen = new Set<string>([text]);
    for (let pass = 0; pass < maxPasses; pass++) {
      const result = this.analyzeText(current, options);
      // Every safe fix whose edits do not touch another's in this pass; the rest wait for the next
      // pass, on re-analysed text (two fixes adding the same import merge that way).
      const taken: TextEdit[] = [];
      for (const finding of result.findings) {
        const allowed = (f: { safe: boolean }) => f.safe || unsafe;
        const fix = finding.fixes.find((f) => allowed(f) && f.isPreferred) ?? finding.fixes.find(allowed);
        if (!fix || fix.edits.length === 0) continue;
        if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
        taken.push(...fix.edits);
        fixed++;
      }
      if (taken.length === 0) break;
      const next = applyEdits(current, taken);
      // A fix that does not clear its finding would loop forever: stop when text repeats.
      if (seen.has(next)) break;
      seen.add(next);
      current = next;
    }
    return { text: current, fixed };
  }
}

/** Anchors of table calls made inside layers (the handler's call into the layer), by node. */
function layerAnchors(facts: FileFacts): Map<unknown, TableCall[]> {
  const out = new Map<unknown, TableCall[]>();
  for (const f of facts.functions) for (const c of f.calls) if (c.via) out.set(c.methodNode, [...(out.get(c.methodNode) ?? []), c]);
  return out;
}

/** Related information leading call by call from the handler's call down to the DynamoDB call. */
function viaRelated(call: TableCall, file: string | undefined): RelatedLocation[] {
  const hops = call.via ?? [];
  return hops.slice(1).map((h, i) => {
    const last = i === hops.length - 2;
    const other = h.path !== undefined && h.path !== file;
    // The text names the place too: plain-text consumers (the CLI's text format) show only messages.
    const where = other ? ` (${relativeTo(file, h.path!)}:${h.node.startRow + 1})` : '';
    return {
      range: nodeRange(h.node),
      message: last ? `The DynamoDB call \`${call.method}\` is made here${where}` : `which calls ${h.label}${where}`,
      ...(other ? { path: h.path! } : {}),
    };
  });
}

/** `target` as seen from the folder of `file`, `/`-separated (no `path` module: the analyzer also runs in a browser). */
function relativeTo(file: string | undefined, target: string): string {
  const to = target.replace(/\\/g, '/').split('/');
  if (!file) return to[to.length - 1]!;
  const from = file.replace(/\\/g, '/').split('/').slice(0, -1);
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  return [...from.slice(i).map(() => '..'), ...to.slice(i)].join('/');
}

function cmp(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}

/** Edits that share any position (insertions at the same point included) cannot go in one pass. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  return cmp(a.range.start, b.range.end) <= 0 && cmp(b.range.start, a.range.end) <= 0;
}

/** Attach `fixes` as a property computed on first read (then cached as a plain value). */
function withLazyFixes(f: Omit<Finding, 'fixes'>, fixes: Report['fixes'], post: (fixes: Fix[]) => Fix[]): Finding {
  if (typeof fixes !== 'function') return { ...f, fixes: post(fixes ?? []) };
  let cached: Finding['fixes'] | undefined;
  return Object.defineProperty(f, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= post(fixes())),
  }) as Finding;
}

function nodeRange(n: { startRow: number; startCol: number; endRow: number; endCol: number }): Range {
  return { start: { line: n.startRow, character: n.startCol }, end: { line: n.endRow, character: n.endCol } };
}

/** Physical lines, as `wc -l` counts them plus a last line without a newline. */
export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/** Apply non-overlapping edits (LSP semantics: all ranges refer to the original text). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) =>
    p.line >= starts.length ? text.length : Math.min(starts[p.line]! + p.character, text.length);
  // Applied back to front; inserts at the same position keep their array order (LSP semantics).
  const sorted = edits
    .map((e, i) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText, i }))
    .sort((a, b) => b.s - a.s || b.e - a.e || b.i - a.i);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

export type { ContentChange };
export { PyDocument };
