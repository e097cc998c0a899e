// DynamoGuard command line (docs: /work/shared/spec/CLI.md, `dynamo-guard --help`).

import * as path from 'path';
import { parseCommandLine } from './args';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import type { CliIo } from './scan';
import { EXPLAIN_HELP, MAIN_HELP, RULES_HELP, SCAN_HELP } from './usage';
import { packageVersion } from './version';

// The analyzer, the rules and the scan machinery are required only by the commands that use
// them: `--version`, `--help` and usage errors start in a fraction of the time.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  analysis: () => require('../analysis') as typeof import('../analysis'),
  catalog: () => require('./catalog') as typeof import('./catalog'),
  iam: () => require('./iam') as typeof import('./iam'),
  scan: () => require('./scan') as typeof import('./scan'),
  stdin: () => require('./stdin') as typeof import('./stdin'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Runs one command and returns the exit status; never calls process.exit (output must drain). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    if (argv.length === 0) {
      io.stderr.write(MAIN_HELP);
      return EXIT_USAGE;
    }
    if (argv[0] === 'iam') return await lazy.iam().runIam(argv.slice(1), io);
    const cmd = parseCommandLine(argv);
    switch (cmd.command) {
      case 'version':
        io.stdout.write(`${packageVersion()}\n`);
        return EXIT_OK;
      case 'help':
        io.stdout.write(cmd.topic === 'scan' ? SCAN_HELP : cmd.topic === 'rules' ? RULES_HELP : cmd.topic === 'explain' ? EXPLAIN_HELP : MAIN_HELP);
        return EXIT_OK;
      case 'rules':
        io.stdout.write(cmd.format === 'json' ? lazy.catalog().rulesJson() : lazy.catalog().rulesText());
        return EXIT_OK;
      case 'explain':
        io.stdout.write(lazy.catalog().explain(cmd.code));
        return EXIT_OK;
      case 'scan':
        return await (cmd.paths[0] === '-' ? lazy.stdin().runStdin(cmd, io) : lazy.scan().runScan(cmd, io));
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`dynamo-guard: error: ${e.message}\n`);
      if (e.hint) io.stderr.write(`Run "dynamo-guard --help" (or "dynamo-guard scan --help") for usage.\n`);
      return EXIT_USAGE;
    }
    if (e instanceof lazy.analysis().ConfigError) {
      // Compiler-style `file:line:col: message` lines, which terminals and CI logs link.
      const file = e.file ? path.relative(io.cwd, e.file).split(path.sep).join('/') || e.file : undefined;
      for (const issue of e.issues) {
        const pos = issue.range ? `:${issue.range.start.line + 1}:${issue.range.start.character + 1}` : '';
        io.stderr.write(`${file ?? 'settings'}${pos}: error: ${issue.message}\n`);
      }
      io.stderr.write(`dynamo-guard: configuration error: ${e.issues.length > 0 && file ? `${e.issues.length} in ${file}` : e.message}\n`);
      return EXIT_USAGE;
    }
    // Anything else is a bug; exit 2 like Ruff does on abnormal termination, with the stack.
    io.stderr.write(`dynamo-guard: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_USAGE;
  }
}

export function cliMain(argv: string[] = process.argv.slice(2)): void {
  const io: CliIo = { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
  // `dynamo-guard scan | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // ENOSPC, EIO...: the report is lost; say so plainly and fail (exit 2), without a stack trace.
    process.stderr.write(`dynamo-guard: error: cannot write the report to standard output: ${e.message}\n`);
    process.exit(2);
  });
  void run(argv, io).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) cliMain();
