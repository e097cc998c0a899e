// Finding the Python files of a project. Shared by the CLI and the language server's workspace
// scan so that both agree on what "the project" is: .gitignore, `exclude` globs and the usual
// virtualenv/vendor directories are honoured the same way everywhere.

import * as fs from 'fs';
import * as path from 'path';
import ignore from 'ignore';
import picomatch from 'picomatch';

/**
 * Directory names never descended into, wherever they appear. CLI.md's list plus the caches of
 * the usual Python tools (.tox, .mypy_cache, .ruff_cache), which only hold generated or vendored
 * code. A directory passed explicitly as a root is still walked.
 */
export const DEFAULT_SKIPS: readonly string[] = [
  '.venv',
  'venv',
  'node_modules',
  '.git',
  '__pycache__',
  'site-packages',
  '.tox',
  '.mypy_cache',
  '.ruff_cache',
];

export interface WalkOptions {
  /** Globs (picomatch) matched against the path relative to `base`, with `/` separators. */
  exclude?: string[];
  /** Directory `exclude` globs are relative to (default: the current directory). */
  base?: string;
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
  /**
   * Extra exclusion test, for callers whose excludes vary by directory (the CLI applies each
   * pyproject's own `exclude`, relative to that pyproject). May throw to abort the walk.
   */
  isExcluded?: (absPath: string, isDirectory: boolean) => boolean;
  /** Problems (unreadable directory, special file) are reported here and the walk goes on. */
  onError?: (absPath: string, message: string) => void;
  /** Also yield Jupyter notebooks (`*.ipynb`; the CLI scans them cell by cell). */
  notebooks?: boolean;
}

/** A compiled `exclude` list; `undefined` when there is nothing to exclude. */
export type ExcludeMatcher = (relPath: string) => boolean;

/**
 * Compile `exclude` globs the way Ruff and .gitignore users expect them: a glob with a slash is
 * matched against the whole relative path (`tests/**`, `**\/migrations/**`), one without a slash
 * also against the bare name of any component (`migrations`, `*_pb2.py`). A trailing slash is
 * accepted and ignored.
 */
export function compileExclude(patterns: readonly string[]): ExcludeMatcher | undefined {
  const cleaned = patterns.map((p) => p.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '')).filter(Boolean);
  if (cleaned.length === 0) return undefined;
  const full = picomatch(cleaned, { dot: true });
  const bare = cleaned.filter((p) => !p.includes('/'));
  const byName = bare.length > 0 ? picomatch(bare, { dot: true }) : undefined;
  return (rel: string) => {
    if (full(rel)) return true;
    if (!byName) return false;
    const slash = rel.lastIndexOf('/');
    return byName(slash === -1 ? rel : rel.slice(slash + 1));
  };
}

/** One .gitignore: its rules apply to paths relative to the directory that holds it. */
interface GitignoreLayer {
  dir: string;
  ig: ignore.Ignore;
}

/** Git itself refuses larger ignore files; a bigger one is not a real .gitignore. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

function readGitignore(dir: string, onError?: (absPath: string, message: string) => void): GitignoreLayer | undefined {
  const file = path.join(dir, '.gitignore');
  let text: string;
  try {
    // Regular files only: a FIFO would block forever, a link to /dev/zero never ends.
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_GITIGNORE_BYTES) {
      onError?.(file, stat.isFile() ? `larger than ${MAX_GITIGNORE_BYTES / 1024} KB; ignored` : 'not a regular file; ignored');
      return undefined;
    }
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return { dir, ig: ignore().add(text) };
}

/**
 * Git semantics across nested files: the deepest .gitignore with a rule matching the path
 * decides, and within a file the last matching rule wins (the `ignore` package handles that).
 * Ignored directories are pruned while walking, so a path is never tested under an ignored parent.
 */
function isGitignored(layers: readonly GitignoreLayer[], absPath: string, isDirectory: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const rel = toSlash(path.relative(layer.dir, absPath));
    if (!rel || rel === '..' || rel.startsWith('../')) continue;
    const result = layer.ig.test(isDirectory ? `${rel}/` : rel);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/**
 * .gitignore files above a root, so `scan src` sees the same files as `scan .`: up to the
 * enclosing git repository's top (the directory holding `.git`), or, outside any repository, up
 * to `base` (the current directory) when the root lies below it.
 */
function ancestorGitignores(root: string, base: string, onError: (absPath: string, message: string) => void): GitignoreLayer[] {
  if (fs.existsSync(path.join(root, '.git'))) return [];
  const chain: string[] = [];
  let repoTop: string | undefined;
  for (let cur = root; ; ) {
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
    chain.push(cur);
    if (fs.existsSync(path.join(cur, '.git'))) {
      repoTop = cur;
      break;
    }
  }
  const within = (d: string) => d === base || d.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
  return (repoTop ? chain : chain.filter(within))
    .reverse()
    .map((d) => readGitignore(d, onError))
    .filter((l): l is GitignoreLayer => l !== undefined);
}

function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function toSlash(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err.code ? `${err.code}: ${err.message}` : String(err.message ?? e);
  }
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Absolute paths of the `*.py` files under `roots`, in a deterministic order (roots in the order
 * given, each walked depth-first with entries sorted by name).
 *
 * - A root that is a file is always yielded, whatever its name, .gitignore or `exclude` say: the
 *   user asked for it (Ruff without --force-exclude does the same).
 * - A root that is a directory is walked even if it is ignored or a default skip; below it,
 *   default skips, .gitignore files (nested ones, and those above the root up to the repository
 *   top, or up to `base` outside a repository) and `exclude` apply.
 * - Symlinked directories are not followed (no loops, no escaping the project); a symlinked file
 *   is yielded, and a dangling one too, so the reader reports it like any unreadable file.
 * - FIFOs, sockets and devices are reported through `onError`, never opened (reading a FIFO
 *   would block forever).
 * - Each file is yielded once even if roots overlap.
 */
export async function* walkPythonFiles(roots: string[], opts: WalkOptions = {}): AsyncGenerator<string> {
  const base = path.resolve(opts.base ?? process.cwd());
  const useGitignore = opts.gitignore ?? true;
  const excludeMatcher = compileExclude(opts.exclude ?? []);
  const onError = opts.onError ?? (() => undefined);
  const seen = new Set<string>();

  const excluded = (abs: string, isDirectory: boolean): boolean => {
    if (excludeMatcher) {
      const rel = toSlash(path.relative(base, abs));
      if (rel && !rel.startsWith('../') && rel !== '..' && excludeMatcher(rel)) return true;
    }
    return opts.isExcluded ? opts.isExcluded(abs, isDirectory) : false;
  };

  async function* walkDir(dir: string, layers: GitignoreLayer[], realRoot: string): AsyncGenerator<string> {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      onError(dir, `cannot read directory: ${describeError(e)}`);
      return;
    }
    const own = useGitignore && entries.some((e) => e.name === '.gitignore') ? readGitignore(dir, onError) : undefined;
    const here = own ? [...layers, own] : layers;
    entries.sort((a, b) => byCodeUnits(a.name, b.name));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (DEFAULT_SKIPS.includes(entry.name)) continue;
        if (useGitignore && isGitignored(here, abs, true)) continue;
        if (excluded(abs, true)) continue;
        yield* walkDir(abs, here, realRoot);
        continue;
      }
      if (!entry.name.endsWith('.py') && !(opts.notebooks && entry.name.endsWith('.ipynb'))) continue;
      if (entry.isSymbolicLink()) {
        // Follow only to learn what it points at: a directory named x.py is not a file to read.
        try {
          const target = await fs.promises.stat(abs);
          if (target.isDirectory()) continue;
          if (!target.isFile()) {
            onError(abs, 'not a regular file; skipped');
            continue;
          }
          // A link out of the tree (`passwd.py -> /etc/passwd`) is not part of the project.
          if (!isInside(await fs.promises.realpath(abs), realRoot)) {
            onError(abs, 'symbolic link to a file outside the scanned folder; skipped');
            continue;
          }
        } catch {
          // Dangling: yield it so the reader reports "no such file" as a per-file error.
        }
      } else if (!entry.isFile()) {
        onError(abs, 'not a regular file; skipped');
        continue;
      }
      if (useGitignore && isGitignored(here, abs, false)) continue;
      if (excluded(abs, false)) continue;
      if (seen.has(abs)) continue;
      seen.add(abs);
      yield abs;
    }
  }

  for (const root of roots) {
    const abs = path.resolve(base, root);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(abs);
    } catch (e) {
      onError(abs, describeError(e));
      continue;
    }
    if (stat.isDirectory()) {
      let layers: GitignoreLayer[] = [];
      if (useGitignore) {
        layers = ancestorGitignores(abs, base, onError);
        // An explicitly requested directory is scanned even if an outer .gitignore ignores it.
        if (isGitignored(layers, abs, true)) layers = [];
      }
      let realRoot = abs;
      try {
        realRoot = await fs.promises.realpath(abs);
      } catch {
        // keep the path as given
      }
      yield* walkDir(abs, layers, realRoot);
    } else if (stat.isFile()) {
      if (seen.has(abs)) continue;
      seen.add(abs);
      yield abs;
    } else {
      onError(abs, 'not a regular file or directory; skipped');
    }
  }
}
