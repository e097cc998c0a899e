// Command-line parsing on node:util parseArgs (no dependency); every mistake becomes a UsageError
// so the caller can print it with a --help hint and exit 2.

import { parseArgs, type ParseArgsConfig } from 'util';
import { UsageError } from './errors';

export type ScanFormat = 'text' | 'json' | 'sarif' | 'github';
export type CatalogFormat = 'text' | 'json';

export interface ScanArgs {
  command: 'scan';
  paths: string[];
  format: ScanFormat;
  output?: string;
  /** Undefined when not given, so the configured value stands. */
  select?: string[];
  ignore?: string[];
  config?: string;
  exitZero: boolean;
  progress: boolean;
  jobs?: number;
  /** Apply safe fixes in place (--fix), also the unsafe ones (--unsafe-fixes). */
  fix: boolean;
  unsafeFixes: boolean;
  /** Print the fixes as a unified diff instead of writing them. */
  diff: boolean;
  /** Name of the source read from stdin (PATH `-`). */
  stdinFilename?: string;
  baseline?: string;
  writeBaseline?: string;
  /** --no-cache: neither read nor write the content-hash cache. */
  noCache?: boolean;
  /** --cache-dir DIR (default: .dynamo-guard-cache in the project root). */
  cacheDir?: string;
}

export interface RulesArgs {
  command: 'rules';
  format: CatalogFormat;
}

export interface ExplainArgs {
  command: 'explain';
  code: string;
}

export type Command =
  | ScanArgs
  | RulesArgs
  | ExplainArgs
  | { command: 'help'; topic?: 'scan' | 'rules' | 'explain' }
  | { command: 'version' };

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP: Options = { help: { type: 'boolean', short: 'h' } };

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs messages are good but mention "parseArgs"-isms like "To specify a positional
    // argument starting with a '-'..."; keep only the first sentence.
    const message = (e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new UsageError(message);
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid value "${value}" for ${flag} (expected ${allowed.join(', ')})`);
}

/** `--select DG101,DG2 --select DG301` -> ["DG101", "DG2", "DG301"]. */
function codeList(values: unknown): string[] | undefined {
  if (!Array.isArray(values)) return undefined;
  return (values as string[])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
}

export function parseCommandLine(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command');
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (first === '--help' || first === '-h') return { command: 'help' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { command: 'help' };
    if (topic === 'scan' || topic === 'rules' || topic === 'explain') return { command: 'help', topic };
    throw new UsageError(`unknown command "${topic}"`);
  }
  switch (first) {
    case 'scan':
      return parseScan(rest);
    case 'rules':
      return parseRules(rest);
    case 'explain':
      return parseExplain(rest);
    default:
      if (first.startsWith('-')) throw new UsageError(`unknown option "${first}" (options go after the command, e.g. "dynamo-guard scan ${first}")`);
      throw new UsageError(`unknown command "${first}"`);
  }
}

function parseScan(args: string[]): Command {
  const { values, positionals } = parse(args, {
    ...HELP,
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    select: { type: 'string', multiple: true },
    ignore: { type: 'string', multiple: true },
    config: { type: 'string' },
    'exit-zero': { type: 'boolean' },
    'no-progress': { type: 'boolean' },
    jobs: { type: 'string', short: 'j' },
    fix: { type: 'boolean' },
    'unsafe-fixes': { type: 'boolean' },
    diff: { type: 'boolean' },
    'stdin-filename': { type: 'string' },
    baseline: { type: 'string' },
    'write-baseline': { type: 'string' },
    'no-cache': { type: 'boolean' },
    'cache-dir': { type: 'string' },
  });
  if (values.help) return { command: 'help', topic: 'scan' };
  const cacheDir = values['cache-dir'] as string | undefined;
  if (cacheDir === '') throw new UsageError('--cache-dir needs a directory name');
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    const text = String(values.jobs);
    jobs = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`invalid value "${text}" for --jobs (expected a whole number from 1 to 64)`);
  }
  const output = values.output as string | undefined;
  const config = values.config as string | undefined;
  if (output === '') throw new UsageError('--output needs a file name');
  if (config === '') throw new UsageError('--config needs a file name');
  for (const flag of ['stdin-filename', 'baseline', 'write-baseline'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a file name`);
  }
  const paths = positionals.length > 0 ? positionals : ['.'];
  if (paths.includes('-') && paths.length > 1) throw new UsageError('"-" (read the source from stdin) cannot be combined with other paths');
  const fix = values.fix === true || values['unsafe-fixes'] === true;
  if (values.diff === true && values.fix === true) throw new UsageError('--diff shows the fixes without applying them: use either --fix or --diff');
  const stdinFilename = values['stdin-filename'] as string | undefined;
  const baseline = values.baseline as string | undefined;
  const writeBaseline = values['write-baseline'] as string | undefined;
  const select = codeList(values.select);
  const ignore = codeList(values.ignore);
  return {
    command: 'scan',
    paths,
    format: oneOf(values.format as string | undefined, ['text', 'json', 'sarif', 'github'] as const, '--format', 'text'),
    ...(output !== undefined ? { output } : {}),
    ...(select !== undefined ? { select } : {}),
    ...(ignore !== undefined ? { ignore } : {}),
    ...(config !== undefined ? { config } : {}),
    exitZero: values['exit-zero'] === true,
    progress: values['no-progress'] !== true,
    ...(jobs !== undefined ? { jobs } : {}),
    // --unsafe-fixes alone (Ruff's habit) means "fix, including the unsafe ones"; with --diff it
    // widens the diff instead of writing.
    fix: fix && values.diff !== true,
    unsafeFixes: values['unsafe-fixes'] === true,
    diff: values.diff === true,
    ...(stdinFilename !== undefined ? { stdinFilename } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(writeBaseline !== undefined ? { writeBaseline } : {}),
    ...(values['no-cache'] === true ? { noCache: true } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  };
}

function parseRules(args: string[]): Command {
  const { values, positionals } = parse(args, { ...HELP, format: { type: 'string', short: 'f' } });
  if (values.help) return { command: 'help', topic: 'rules' };
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (to read one rule's documentation: dynamo-guard explain ${positionals[0]})`);
  return { command: 'rules', format: oneOf(values.format as string | undefined, ['text', 'json'] as const, '--format', 'text') };
}

function parseExplain(args: string[]): Command {
  const { values, positionals } = parse(args, HELP);
  if (values.help) return { command: 'help', topic: 'explain' };
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'explain needs a rule code, e.g. "dynamo-guard explain DG101"' : 'explain takes exactly one rule code');
  return { command: 'explain', code: positionals[0]! };
}
