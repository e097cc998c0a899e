// `dynamo-guard scan -`: analyse source read from stdin (editors, pre-commit style pipes). The
// `--stdin-filename` names it: that path picks the pyproject.toml settings, the project whose
// modules form the cross-file index, and the name in the report. With --fix the fixed source goes
// to stdout and the report to stderr (Ruff's convention); with --diff the diff goes to stdout.

import * as path from 'path';
import { performance } from 'perf_hooks';
import { Analyzer, decodeSource, InMemoryWorkspaceIndex, mayExport, summarizeDocument, type Finding } from '../analysis';
import { walkPythonFiles } from '../analysis/files';
import type { ScanArgs } from './args';
import { summarizeFile } from './analyzeFile';
import { applyBaselineOptions } from './baseline';
import { unifiedDiff } from './diff';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './errors';
import { fixText } from './fix';
import type { ReportedFinding, ScanReport } from './report';
import { writeReport, type CliIo } from './scan';
import { checkSelectors, SettingsResolver } from './settings';
import { packageVersion } from './version';

/** A project bigger than this is not summarised for a single stdin buffer. */
const MAX_INDEX_FILES = 5000;

export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function runStdin(args: ScanArgs, io: CliIo, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const started = performance.now();
  checkSelectors('--select', args.select);
  checkSelectors('--ignore', args.ignore);
  const name = args.stdinFilename ?? '-';
  const abs = args.stdinFilename !== undefined ? path.resolve(io.cwd, args.stdinFilename) : path.join(io.cwd, 'stdin.py');
  const display = args.stdinFilename !== undefined ? path.relative(io.cwd, abs).split(path.sep).join('/') || name : '-';
  const warn = (m: string) => io.stderr.write(`warning: ${m}\n`);
  const resolver = new SettingsResolver(io.cwd, { ...args }, warn);
  const config = resolver.forFile(abs);
  const settings = config.settings;

  const decoded = decodeSource(await readAll(input), settings.maxFileSizeKb);
  if (!decoded.ok) throw new UsageError(`stdin: ${decoded.message}`, false);
  const text = decoded.text;
  const analyzer = await Analyzer.create();

  // Cross-file knowledge: the other modules of the project the named file belongs to.
  const workspace = new InMemoryWorkspaceIndex([config.base]);
  if (args.stdinFilename !== undefined) {
    let count = 0;
    for await (const file of walkPythonFiles([config.base], { base: io.cwd, isExcluded: resolver.isExcluded, onError: () => undefined })) {
      if (++count > MAX_INDEX_FILES) break;
      if (path.resolve(file) === abs) continue;
      const summary = await summarizeFile(analyzer, file, resolver.forFile(file).settings);
      if (summary) workspace.set(file, summary);
    }
  }
  if (mayExport(text)) {
    const doc = analyzer.createDocument(text);
    try {
      workspace.set(abs, summarizeDocument(doc, settings, abs));
    } catch {
      // what this buffer exports only matters to others; its own analysis goes on
    } finally {
      doc.dispose();
    }
  }

  let source = text;
  if (args.fix || args.diff) {
    const fixed = fixText(analyzer, text, settings, workspace, abs, args.unsafeFixes);
    if (args.diff) {
      const diff = unifiedDiff(display, text, fixed.text);
      io.stdout.write(diff);
      io.stderr.write(`${fixed.fixed} fixes would be applied${diff ? ` to ${display}` : ''}\n`);
      return diff ? EXIT_FINDINGS : EXIT_OK;
    }
    io.stdout.write(fixed.text);
    source = fixed.text;
  }

  const result = analyzer.analyzeText(source, { settings, path: abs, workspace });
  const lines = source.split('\n');
  const withFixes = args.format !== 'text';
  const findings: ReportedFinding[] = result.findings.map((f: Finding) => ({
    path: display,
    finding: { ...f, fixes: withFixes ? f.fixes : [] },
    lineText: (lines[f.range.start.line] ?? '').trim(),
  }));
  const report: ScanReport = {
    version: packageVersion(),
    cwd: io.cwd,
    findings,
    files: result.skipped ? 0 : 1,
    lines: result.lines,
    durationMs: Math.round(performance.now() - started),
    errors: result.skipped ? [{ path: display, message: result.skipped }] : [],
  };
  applyBaselineOptions(report, args, io.stderr);
  // With --fix stdout carries the fixed source, so the report goes to stderr.
  writeReport(report, args, args.fix ? { ...io, stdout: io.stderr } : io);
  return report.findings.length > 0 && !args.exitZero ? EXIT_FINDINGS : EXIT_OK;
}
