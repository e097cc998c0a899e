// `dynamo-guard scan`: walk -> settings per file -> analyse (in process or on workers) -> one
// report, sorted so it is byte-for-byte the same whatever --jobs is.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Analyzer, InMemoryWorkspaceIndex, type ModuleSummary, type WorkspaceIndex } from '../analysis';
import { walkPythonFiles } from '../analysis/files';
import type { ScanArgs } from './args';
import { analyzeFile, summarizeFile, type FileOutcome } from './analyzeFile';
import { infraReported } from './infraFindings';
import { ruleMetas } from './catalog';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import { applyBaselineOptions } from './baseline';
import { applyFixOptions } from './fix';
import { toGithub } from './github';
import { analyzeInWorkers, summarizeInWorkers, type PoolTask } from './pool';
import { NO_PROGRESS, createProgress, shouldShowProgress, type Progress } from './progress';
import { compareFindings, toJson, type ReportedError, type ReportedFinding, type ScanReport } from './report';
import { toSarif } from './sarif';
import { checkSelectors, SettingsResolver } from './settings';
import { errorLines, pickColors, toText } from './text';
import { packageVersion } from './version';

export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Below this many files a worker's start-up (its own tree-sitter parser) costs more than it saves. */
const PARALLEL_THRESHOLD = 200;
const MAX_DEFAULT_JOBS = 4;

function defaultJobs(fileCount: number): number {
  if (fileCount < PARALLEL_THRESHOLD) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), MAX_DEFAULT_JOBS));
}

export async function runScan(args: ScanArgs, io: CliIo): Promise<number> {
  const started = performance.now();
  checkSelectors('--select', args.select);
  checkSelectors('--ignore', args.ignore);
  for (const p of args.paths) {
    try {
      fs.lstatSync(path.resolve(io.cwd, p));
    } catch {
      throw new UsageError(`path not found: ${p}`);
    }
  }

  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    io.stderr.write(`warning: ${message}\n`);
  };
  const resolver = new SettingsResolver(io.cwd, { ...args }, warn);
  // Fail on a broken --config before walking anything.
  if (args.config !== undefined) resolver.forDir(io.cwd);

  const display = (abs: string) => path.relative(io.cwd, abs).split(path.sep).join('/') || '.';
  const errors: ReportedError[] = [];
  const files: string[] = [];
  for await (const file of walkPythonFiles(args.paths, {
    base: io.cwd,
    isExcluded: resolver.isExcluded,
    onError: (p, message) => errors.push({ path: display(p), message }),
  })) {
    files.push(file);
  }
  const withFixes = args.format !== 'text';
  const tasks: PoolTask[] = files.map((file) => ({ file, settings: resolver.forFile(file).settings, ...(withFixes ? {} : { fixes: false }) }));

  // Cross-file knowledge (tables, auth functions, guard helpers defined in other modules): a
  // first pass summarises every module, the second analyses with the index.
  const jobs = args.jobs ?? defaultJobs(tasks.length);
  const roots = [...new Set([io.cwd, ...args.paths.map((p) => path.resolve(io.cwd, p))].filter((p) => isDir(p)))];
  const summaries: Array<ModuleSummary | undefined> = jobs > 1 && tasks.length > 1 ? await summarizeInWorkers(tasks, jobs) : await summarizeHere(tasks);
  const workspace = new InMemoryWorkspaceIndex(roots);
  const indexData: Array<[string, ModuleSummary]> = [];
  tasks.forEach((t, i) => {
    const s = summaries[i];
    if (s) {
      workspace.set(t.file, s);
      indexData.push([t.file, s]);
    }
  });

  const progress: Progress = shouldShowProgress(io.stderr, args.format, args.progress, io.env) ? createProgress(tasks.length, io.stderr) : NO_PROGRESS;
  let outcomes: FileOutcome[];
  try {
    outcomes = jobs > 1 && tasks.length > 1 ? await analyzeInWorkers(tasks, jobs, () => progress.tick(), { roots, summaries: indexData }) : await analyzeHere(tasks, workspace, () => progress.tick());
  } finally {
    progress.done();
  }
  const fixed = await applyFixOptions(outcomes, (f) => resolver.forFile(f).settings, workspace, display, args, io);
  if (fixed.exit !== undefined) return fixed.exit;
  outcomes = fixed.outcomes;

  const findings: ReportedFinding[] = [];
  let fileCount = 0;
  let lineCount = 0;
  for (const outcome of outcomes) {
    const rel = display(outcome.file);
    if (!outcome.ok) {
      errors.push({ path: rel, message: outcome.message });
      continue;
    }
    fileCount++;
    lineCount += outcome.lines;
    for (const message of outcome.errors ?? []) errors.push({ path: rel, message });
    outcome.findings.forEach((finding, i) => findings.push({ path: rel, finding, lineText: outcome.lineTexts[i] ?? '' }));
  }
  // Infrastructure templates: DG601 is anchored on the policy statement (cli/infraFindings.ts).
  findings.push(...(await infraReported(files, args.paths.map((p) => path.resolve(io.cwd, p)), (f) => resolver.forFile(f).settings, display)));
  findings.sort(compareFindings);
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const report: ScanReport = {
    version: packageVersion(),
    cwd: io.cwd,
    findings,
    files: fileCount,
    lines: lineCount,
    durationMs: Math.round(performance.now() - started),
    errors,
  };
  applyBaselineOptions(report, args, io.stderr);
  writeReport(report, args, io);
  return report.findings.length > 0 && !args.exitZero && args.writeBaseline === undefined ? EXIT_FINDINGS : EXIT_OK;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function summarizeHere(tasks: readonly PoolTask[]): Promise<Array<ModuleSummary | undefined>> {
  if (tasks.length === 0) return [];
  const analyzer = await Analyzer.create();
  const out: Array<ModuleSummary | undefined> = [];
  for (const task of tasks) out.push(await summarizeFile(analyzer, task.file, task.settings));
  return out;
}

async function analyzeHere(tasks: readonly PoolTask[], workspace: WorkspaceIndex | undefined, onDone: () => void): Promise<FileOutcome[]> {
  if (tasks.length === 0) return [];
  const analyzer = await Analyzer.create();
  const outcomes: FileOutcome[] = [];
  for (const task of tasks) {
    outcomes.push(await analyzeFile(analyzer, task.file, task.settings, workspace, task.fixes !== false));
    onDone();
  }
  return outcomes;
}

export function writeReport(report: ScanReport, args: ScanArgs, io: CliIo): void {
  const toFile = args.output !== undefined;
  let body: string;
  switch (args.format) {
    case 'json':
      body = toJson(report);
      break;
    case 'sarif':
      body = toSarif(report, ruleMetas());
      break;
    case 'github':
      body = toGithub(report);
      break;
    default:
      body = toText(report, toFile ? undefined : pickColors(io.stdout, io.env));
  }
  // Unreadable files: in text output they go to stderr (stdout stays one finding a line); the
  // json/sarif documents carry them, so stderr only gets them when the document goes to a file.
  if (args.format === 'text' || toFile) io.stderr.write(errorLines(report.errors, pickColors(io.stderr, io.env)));
  if (toFile) {
    const target = path.resolve(io.cwd, args.output!);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body);
    } catch (e) {
      throw new UsageError(`cannot write ${args.output}: ${(e as Error).message}`, false);
    }
    io.stderr.write(`${args.format} report written to ${args.output}: ${report.findings.length} findings in ${report.files} files${report.errors.length ? `, ${report.errors.length} files not analysed` : ''}\n`);
  } else {
    io.stdout.write(body);
  }
}
