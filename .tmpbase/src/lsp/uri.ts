// file:// URIs <-> paths. The editor is the authority on URIs: we only build one ourselves for files
// the editor has not opened (workspace scan), and compare files by path, never by URI text, because
// clients spell the same file differently (`file:///c%3A/x.py` vs `file:///C:/x.py`).

import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

/** Absolute path of a `file:` URI; undefined for other schemes (untitled:, vscode-notebook-cell:...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return pathToFileURL(p).toString();
}

/** A key under which two spellings of the same file compare equal. */
export function pathKey(p: string): string {
  const n = path.normalize(p);
  // Windows and macOS file systems are case-insensitive by default; Linux is not.
  return process.platform === 'win32' || process.platform === 'darwin' ? n.toLowerCase() : n;
}

/** True when `child` is `parent` or lies below it. */
export function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(pathKey(parent), pathKey(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
