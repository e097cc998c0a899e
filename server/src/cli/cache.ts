// The content-hash cache (CLI.md): one small JSON file per entry, named by the SHA-256 of
// everything the entry depends on, so a hit is always valid and there is nothing to invalidate.
//   summary of a module:  version + build, settings, path, content
//   analysis of a file:   the same + whether fixes are wanted + the modules it imports, transitively
//                         (their bytes and summaries), and the workspace-wide part of the index
//                         (cacheKeys.ts): editing one module re-analyses only its importers
// Writes go to a temporary file renamed into place (atomic on POSIX), so concurrent runs never
// see half an entry; an unreadable or corrupt entry is a miss and is rewritten.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersion } from './version';

export interface CacheConfig {
  dir: string;
}

let buildSalt: string | undefined;

/** The version, plus when this build was made (a development build keeps its version number). */
function salt(): string {
  if (buildSalt === undefined) {
    // The newest compiled file of the analyzer and the CLI: an incremental build rewrites only
    // what changed, and a development build keeps its version number.
    let built = 0;
    const stack = path.basename(__dirname) === 'cli' ? [path.join(__dirname, '..')] : [];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        // bundled or unusual layout: the version alone
      }
      for (const e of entries) {
        if (e.isDirectory()) stack.push(path.join(dir, e.name));
        else if (e.name.endsWith('.js')) built = Math.max(built, fs.statSync(path.join(dir, e.name)).mtimeMs);
      }
    }
    buildSalt = `${packageVersion()}|${built}`;
  }
  return buildSalt;
}

export function cacheKey(kind: string, ...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256').update(kind).update('\0').update(salt());
  for (const p of parts) h.update('\0').update(p);
  return h.digest('hex');
}

function entryPath(cfg: CacheConfig, key: string): string {
  return path.join(cfg.dir, 'v1', key.slice(0, 2), `${key}.json`);
}

export function cacheGet<T>(cfg: CacheConfig | undefined, key: string): T | undefined {
  if (!cfg) return undefined;
  try {
    const entry = JSON.parse(fs.readFileSync(entryPath(cfg, key), 'utf8')) as { key?: string; value?: T };
    // A truncated or foreign file is a miss, never a wrong answer.
    return entry && entry.key === key ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

export function cachePut(cfg: CacheConfig | undefined, key: string, value: unknown): void {
  if (!cfg) return;
  const target = entryPath(cfg, key);
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ key, value }));
    fs.renameSync(tmp, target);
  } catch {
    // A read-only or full disk only costs speed.
    fs.rmSync(tmp, { force: true });
  }
}

/** Create the directory with a .gitignore of its own (as Ruff does), so it is never committed. */
export function prepareCacheDir(dir: string): CacheConfig | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const ignore = path.join(dir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Automatically created by dynamo-guard.\n*\n');
    return { dir };
  } catch {
    return undefined;
  }
}
