// `--fix` / `--unsafe-fixes` / `--diff`: the analyzer's own multi-pass fix-all (the one behind the
// editor's source.fixAll.dynamoGuard) run on each file that has findings; the file is rewritten
// (--fix) or its unified diff collected (--diff), then re-analysed so the report shows what is left.

import * as fs from 'fs';
import { Analyzer, decodeSource, type WorkspaceIndex } from '../analysis';
import type { DynamoGuardSettings } from '../protocol';
import { analyzeFile, isNotebook, type FileOutcome } from './analyzeFile';
import { unifiedDiff } from './diff';

export interface FixOptions {
  /** Also apply fixes not marked safe. */
  unsafe: boolean;
  /** Write the fixed text back (false: --diff, collect diffs only). */
  write: boolean;
  /** Keep computed fixes on the re-analysed findings (json/sarif output). */
  withFixes: boolean;
}

export interface FixSummary {
  /** Fixes applied (or that would be, with --diff). */
  fixes: number;
  files: number;
  /** Concatenated unified diffs, in the order of `outcomes`. */
  diff: string;
  /** The outcomes, with fixed files re-analysed after writing. */
  outcomes: FileOutcome[];
}

/** The fix-all of one source text (also used for stdin). */
export function fixText(analyzer: Analyzer, text: string, settings: DynamoGuardSettings, workspace: WorkspaceIndex | undefined, file: string | undefined, unsafe: boolean): { text: string; fixed: number } {
  return analyzer.fixAll(text, { settings, ...(workspace ? { workspace } : {}), ...(file ? { path: file } : {}) }, 10, unsafe);
}

export async function fixFiles(
  analyzer: Analyzer,
  outcomes: readonly FileOutcome[],
  settingsOf: (file: string) => DynamoGuardSettings,
  workspace: WorkspaceIndex | undefined,
  display: (file: string) => string,
  options: FixOptions,
): Promise<FixSummary> {
  const summary: FixSummary = { fixes: 0, files: 0, diff: '', outcomes: [] };
  for (const outcome of outcomes) {
    // Notebooks are not rewritten: their findings' edits are in cell coordinates, not the JSON's.
    if (!outcome.ok || outcome.findings.length === 0 || isNotebook(outcome.file)) {
      summary.outcomes.push(outcome);
      continue;
    }
    const settings = settingsOf(outcome.file);
    const decoded = decodeSource(await fs.promises.readFile(outcome.file), settings.maxFileSizeKb);
    if (!decoded.ok) {
      summary.outcomes.push(outcome);
      continue;
    }
    const fixed = fixText(analyzer, decoded.text, settings, workspace, outcome.file, options.unsafe);
    if (fixed.text === decoded.text) {
      summary.outcomes.push(outcome);
      continue;
    }
    summary.fixes += fixed.fixed;
    summary.files++;
    if (!options.write) {
      summary.diff += unifiedDiff(display(outcome.file), decoded.text, fixed.text);
      summary.outcomes.push(outcome);
      continue;
    }
    await fs.promises.writeFile(outcome.file, fixed.text);
    summary.outcomes.push(await analyzeFile(analyzer, outcome.file, settings, workspace, options.withFixes));
  }
  return summary;
}

/** The scan's --fix / --diff step. Returns the exit status when the run ends here (--diff). */
export async function applyFixOptions(
  outcomes: FileOutcome[],
  settingsOf: (file: string) => DynamoGuardSettings,
  workspace: WorkspaceIndex | undefined,
  display: (file: string) => string,
  args: { fix: boolean; diff: boolean; unsafeFixes: boolean; format: string },
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } },
): Promise<{ outcomes: FileOutcome[]; exit?: number }> {
  if (!args.fix && !args.diff) return { outcomes };
  const analyzer = await Analyzer.create();
  const summary = await fixFiles(analyzer, outcomes, settingsOf, workspace, display, { unsafe: args.unsafeFixes, write: !args.diff, withFixes: args.format !== 'text' });
  if (args.diff) {
    io.stdout.write(summary.diff);
    io.stderr.write(`${summary.fixes} fixes would be applied to ${summary.files} files${args.unsafeFixes ? '' : ' (--unsafe-fixes would add the unsafe ones)'}\n`);
    return { outcomes: summary.outcomes, exit: summary.diff ? 1 : 0 };
  }
  io.stderr.write(`fixed ${summary.fixes} findings in ${summary.files} files\n`);
  return { outcomes: summary.outcomes };
}
