// `dynamo-guard scan`: walk -> settings per file -> analyse (in process or on workers) -> one
// report, sorted so it is byte-for-byte the same whatever --jobs is.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { InMemoryWorkspaceIndex, type ModuleSummary } from '../analysis';
import { walkPythonFiles } from '../analysis/files';
import type { ScanArgs } from './args';
import type { FileOutcome } from './analyzeFile';
import { infraReported } from './infraFindings';
import { ruleMetas } from './catalog';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { applyBaselineOptions } from './baseline';
import { prepareCacheDir } from './cache';
import { dependencyHashes } from './cacheKeys';
import { applyFixOptions } from './fix';
import { toGithub } from './github';
import { runsInProcess, InProcessPool } from './inProcess';
import { AnalysisPool, budgetsFrom, type PoolTask } from './pool';
import { projectRoot } from './project';
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
  // Fail on a broken --config, or a broken pyproject.toml governing the first PATH, before walking
  // anything; one broken deeper down only costs the files it governs (reported under errors).
  if (args.config !== undefined) resolver.forDir(io.cwd);
  const first = path.resolve(io.cwd, args.paths[0] ?? '.');
  const governing = resolver.forDir(isDir(first) ? first : path.dirname(first));
  if (governing.broken) throw governing.broken.error;

  const display = (abs: string) => path.relative(io.cwd, abs).split(path.sep).join('/') || '.';
  const errors: ReportedError[] = [];
  const files: string[] = [];
  for await (const file of walkPythonFiles(args.paths, {
    base: io.cwd,
    notebooks: true,
    isExcluded: resolver.isExcluded,
    onError: (p, message) => errors.push({ path: display(p), message }),
  })) {
    files.push(file);
  }
  const withFixes = args.format !== 'text';
  const tasks: PoolTask[] = [];
  const broken = new Map<string, string>();
  for (const file of files) {
    const cfg = resolver.forFile(file);
    if (cfg.broken) {
      errors.push({ path: display(file), message: `not analysed: configuration error in ${display(cfg.broken.file)}` });
      broken.set(cfg.broken.file, cfg.broken.message);
    } else tasks.push({ file, settings: cfg.settings, ...(withFixes ? {} : { fixes: false }) });
  }
  for (const [file, message] of broken) errors.push({ path: display(file), message: `configuration error: ${message}` });

  // Cross-file knowledge (tables, auth functions, guard helpers defined in other modules): a
  // first pass summarises every module of the project root, whatever was named on the command
  // line (so a file's findings do not depend on it), the second analyses the named files.
  const root = projectRoot(args.paths.map((p) => path.resolve(io.cwd, p)));
  const indexTasks = await projectTasks(root, tasks, resolver);
  const jobs = args.jobs ?? defaultJobs(Math.max(tasks.length, indexTasks.length));
  const cacheDir = args.noCache ? undefined : prepareCacheDir(path.resolve(io.cwd, args.cacheDir ?? path.join(root, '.dynamo-guard-cache')))?.dir;
  // Above a small size analysis runs in child processes, even for --jobs 1: one that dies (a V8
  // fatal error, the memory or time budget) costs only the file it was analysing (see pool.ts).
  // A small scan stays here: a worker would load the analyzer again for little work (inProcess.ts).
  const pool: Passes = runsInProcess(indexTasks.map((t) => t.file), io.env) ? new InProcessPool(cacheDir) : new AnalysisPool(jobs, budgetsFrom(io.env), cacheDir);
  let outcomes: FileOutcome[];
  let indexData: Array<[string, ModuleSummary]>;
  try {
    ({ outcomes, indexData } = await analyzeAll(pool, indexTasks, tasks, [root], shouldShowProgress(io.stderr, args.format, args.progress, io.env) ? io.stderr : undefined, cacheDir !== undefined));
  } finally {
    pool.close();
  }

  // --fix / --diff re-analyse here, with the same index.
  let workspace: InMemoryWorkspaceIndex | undefined;
  if (args.fix || args.diff) {
    workspace = new InMemoryWorkspaceIndex([root]);
    for (const [file, summary] of indexData) workspace.set(file, summary);
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
  // A file that could not be checked because of a bug, a budget or a broken configuration must
  // not pass a CI gate silently (CLI.md), whatever --exit-zero says.
  if (broken.size > 0 || outcomes.some((o) => (!o.ok && o.internal) || (o.ok && o.errors?.length))) return EXIT_USAGE;
  return report.findings.length > 0 && !args.exitZero && args.writeBaseline === undefined ? EXIT_FINDINGS : EXIT_OK;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Summary tasks: every Python file of the project root (walked with the same rules, problems not
 * reported: they are not part of this scan) plus the scanned files outside it.
 */
async function projectTasks(root: string, scanned: readonly PoolTask[], resolver: SettingsResolver): Promise<PoolTask[]> {
  const byFile = new Map<string, PoolTask>();
  for await (const file of walkPythonFiles([root], { base: root, isExcluded: resolver.isExcluded })) {
    const cfg = resolver.forFile(file);
    if (!cfg.broken) byFile.set(file, { file, settings: cfg.settings });
  }
  for (const t of scanned) if (!byFile.has(t.file)) byFile.set(t.file, t);
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** What runs the two passes: worker processes (pool.ts) or this process (inProcess.ts). */
type Passes = Pick<AnalysisPool, 'summarize' | 'analyze' | 'setIndex' | 'close'>;

/** The two passes: summaries for the cross-file index, then analysis with it. */
async function analyzeAll(
  pool: Passes,
  indexTasks: readonly PoolTask[],
  tasks: readonly PoolTask[],
  roots: string[],
  progressTo: NodeJS.WriteStream | undefined,
  cached: boolean,
): Promise<{ outcomes: FileOutcome[]; indexData: Array<[string, ModuleSummary]> }> {
  // A scanned file's parse from the summary pass is kept for its analysis (pool.ts, worker.ts).
  const scanned = new Set(tasks.map((t) => t.file));
  const summaries = await pool.summarize(indexTasks.map((t) => (scanned.has(t.file) ? { ...t, keep: true } : t)));
  const indexData: Array<[string, ModuleSummary]> = [];
  indexTasks.forEach((t, i) => {
    const s = summaries[i]?.summary;
    if (s) indexData.push([t.file, s]);
  });
  const hash = createHash('sha256').update(JSON.stringify([roots, indexData])).digest('hex');
  pool.setIndex({ roots, summaries: indexData, hash });
  // Cache keys: each analysis depends on the modules it imports and the index's workspace-wide part.
  if (cached) {
    const keys = dependencyHashes({ roots, indexHash: hash, modules: indexTasks.map((t, i) => ({ file: t.file, ...summaries[i] })) }, tasks.map((t) => t.file));
    tasks = tasks.map((t) => ({ ...t, depsHash: keys.get(t.file) }));
  }
  const progress: Progress = progressTo ? createProgress(tasks.length, progressTo) : NO_PROGRESS;
  try {
    return { outcomes: await pool.analyze(tasks, () => progress.tick()), indexData };
  } finally {
    progress.done();
  }
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
    try {
      io.stdout.write(body);
    } catch (e) {
      // A redirect to a full disk fails synchronously (ENOSPC): a clear message, not a stack.
      throw new UsageError(`cannot write the report to standard output: ${(e as Error).message}`, false);
    }
  }
}
