// `--baseline FILE` / `--write-baseline FILE`: adopt DynamoGuard on an existing code base and fail
// CI only on new findings. A finding is identified by rule + path + a fingerprint of the code it
// is on (the anchor line, whitespace-normalised), never by its line number, so code added above
// it or edited elsewhere does not make it new. Identical findings are counted: a baseline with two
// copies of a finding absorbs two, and a third copy is new.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from './errors';
import type { ReportedFinding, ScanReport } from './report';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  /** Relative to the baseline file's folder, `/` separators. */
  path: string;
  fingerprint: string;
  count: number;
  /** For people reading the file; not used for matching. */
  message: string;
}

export interface BaselineFile {
  version: number;
  tool: 'dynamo-guard';
  findings: BaselineEntry[];
}

export function fingerprint(f: ReportedFinding): string {
  const code = f.lineText.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`${f.finding.rule}\u0000${f.finding.name}\u0000${code}`).digest('hex').slice(0, 20);
}

function keyOf(rule: string, relPath: string, print: string): string {
  return `${rule}\u0000${relPath}\u0000${print}`;
}

/** The finding's path relative to the baseline's folder (the baseline must work from any cwd). */
function baselinePath(report: ScanReport, f: ReportedFinding, baselineDir: string): string {
  return path.relative(baselineDir, path.resolve(report.cwd, f.path)).split(path.sep).join('/');
}

export function buildBaseline(report: ScanReport, baselineFile: string): BaselineFile {
  const dir = path.dirname(path.resolve(report.cwd, baselineFile));
  const entries = new Map<string, BaselineEntry>();
  for (const f of report.findings) {
    const rel = baselinePath(report, f, dir);
    const print = fingerprint(f);
    const key = keyOf(f.finding.rule, rel, print);
    const entry = entries.get(key);
    if (entry) entry.count++;
    else entries.set(key, { rule: f.finding.rule, path: rel, fingerprint: print, count: 1, message: f.finding.message });
  }
  const findings = [...entries.values()].sort((a, b) => cmp(a.path, b.path) || cmp(a.rule, b.rule) || cmp(a.fingerprint, b.fingerprint));
  return { version: BASELINE_VERSION, tool: 'dynamo-guard', findings };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function writeBaselineFile(report: ScanReport, baselineFile: string): number {
  const target = path.resolve(report.cwd, baselineFile);
  const doc = buildBaseline(report, baselineFile);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${JSON.stringify(doc, null, 2)}\n`);
  } catch (e) {
    throw new UsageError(`cannot write ${baselineFile}: ${(e as Error).message}`, false);
  }
  return report.findings.length;
}

export function readBaselineFile(cwd: string, baselineFile: string): BaselineFile {
  const target = path.resolve(cwd, baselineFile);
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(target, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read baseline ${baselineFile}: ${err.code === 'ENOENT' ? 'no such file (create it with --write-baseline)' : err.message}`, false);
  }
  const d = doc as Partial<BaselineFile>;
  const valid =
    d && typeof d === 'object' && d.version === BASELINE_VERSION && Array.isArray(d.findings) &&
    d.findings.every((e) => e && typeof e.rule === 'string' && typeof e.path === 'string' && typeof e.fingerprint === 'string' && Number.isInteger(e.count) && e.count > 0);
  if (!valid) throw new UsageError(`${baselineFile} is not a DynamoGuard baseline (version ${BASELINE_VERSION}); write it with --write-baseline`, false);
  return d as BaselineFile;
}

/** Drops the findings the baseline accounts for; returns how many were dropped. */
export function applyBaseline(report: ScanReport, baseline: BaselineFile, baselineFile: string): number {
  const dir = path.dirname(path.resolve(report.cwd, baselineFile));
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) {
    const key = keyOf(e.rule, e.path, e.fingerprint);
    remaining.set(key, (remaining.get(key) ?? 0) + e.count);
  }
  const kept: ReportedFinding[] = [];
  for (const f of report.findings) {
    const key = keyOf(f.finding.rule, baselinePath(report, f, dir), fingerprint(f));
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else kept.push(f);
  }
  const dropped = report.findings.length - kept.length;
  report.findings = kept;
  return dropped;
}

/** The scan's --write-baseline / --baseline step, shared by file scans and stdin. */
export function applyBaselineOptions(report: ScanReport, args: { baseline?: string; writeBaseline?: string }, stderr: { write(s: string): unknown }): void {
  if (args.writeBaseline !== undefined) {
    const n = writeBaselineFile(report, args.writeBaseline);
    stderr.write(`baseline written to ${args.writeBaseline}: ${n} findings\n`);
  }
  if (args.baseline !== undefined) {
    const dropped = applyBaseline(report, readBaselineFile(report.cwd, args.baseline), args.baseline);
    if (dropped > 0) stderr.write(`${dropped} findings already in the baseline ${args.baseline} were not reported\n`);
  }
}
