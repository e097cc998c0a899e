// The project root (CLI.md "Scope"): the nearest folder above the first PATH with a
// pyproject.toml holding [tool.dynamo-guard], else the git root, else the common parent of the
// PATHs. The cross-file index always covers it, so a file's findings do not depend on what else
// was named on the command line; the cache lives there too.

import * as fs from 'fs';
import * as path from 'path';
import { findPyproject } from '../analysis';

function dirOf(p: string): string {
  try {
    return fs.statSync(p).isDirectory() ? p : path.dirname(p);
  } catch {
    return path.dirname(p);
  }
}

function gitRoot(dir: string): string | undefined {
  for (let cur = dir; ; ) {
    if (fs.existsSync(path.join(cur, '.git'))) return cur;
    const parent = path.dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

function commonParent(dirs: string[]): string {
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) {
    while (!(d === common || d.startsWith(common.endsWith(path.sep) ? common : common + path.sep))) common = path.dirname(common);
  }
  return common;
}

/** `paths` are absolute. */
export function projectRoot(paths: string[]): string {
  const dirs = paths.map(dirOf);
  const first = dirs[0]!;
  const pyproject = findPyproject(first);
  if (pyproject) return path.dirname(pyproject);
  return gitRoot(first) ?? commonParent(dirs);
}
