// The Python files of a workspace folder, as the workspace scan and the cross-file index see
// them: walkPythonFiles (default skips, .gitignore) plus the `exclude` globs of the settings
// that govern each directory, relative to the pyproject.toml declaring them (like Ruff and the
// CLI), or to the workspace folder when they come from the editor settings.

import * as fs from 'fs';
import * as path from 'path';
import type { DynamoGuardSettings } from '../protocol';
import { decodeSource } from '../analysis';
import { compileExclude, walkPythonFiles, type ExcludeMatcher } from '../analysis/files';
import type { Folder } from './folders';
import type { EditorSettings, SettingsStore } from './settings';

const toSlash = (p: string) => (path.sep === '/' ? p : p.split(path.sep).join('/'));

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ProjectFiles {
  private readonly matchers = new Map<string, ExcludeMatcher | undefined>();

  constructor(private readonly settings: SettingsStore) {}

  /** Absolute paths of the folder's Python files (none when DynamoGuard is disabled there). */
  async *walk(folder: Folder, editor: EditorSettings, onError: (file: string, message: string) => void): AsyncGenerator<string> {
    if (!this.settings.resolve(editor, folder.path).settings.enable) return;
    yield* walkPythonFiles([folder.path], {
      base: folder.path,
      gitignore: true,
      isExcluded: (abs) => this.isExcluded(editor, folder.path, abs),
      onError,
    });
  }

  private isExcluded(editor: EditorSettings, root: string, abs: string): boolean {
    const cfg = this.settings.resolve(editor, path.dirname(abs));
    const patterns = cfg.settings.exclude;
    if (patterns.length === 0) return false;
    const key = JSON.stringify(patterns);
    if (!this.matchers.has(key)) this.matchers.set(key, compileExclude(patterns));
    const matcher = this.matchers.get(key);
    if (!matcher) return false;
    const rel = toSlash(path.relative(cfg.file ? path.dirname(cfg.file) : root, abs));
    if (!rel || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return false;
    return matcher(rel);
  }
}

export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

/** Read and decode a file for analysis; the size limit is checked before reading anything. */
export async function readSource(file: string, settings: DynamoGuardSettings): Promise<ReadResult> {
  try {
    const limit = settings.maxFileSizeKb * 1024;
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) return { ok: false, message: 'not a regular file; skipped' };
    // A multi-gigabyte file must not be loaded just to be refused.
    if (limit > 0 && stat.size > limit) {
      return { ok: false, message: `file is ${Math.round(stat.size / 1024)} KB, over the ${settings.maxFileSizeKb} KB limit (maxFileSizeKb); skipped` };
    }
    return decodeSource(await fs.promises.readFile(file), settings.maxFileSizeKb);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, message: `cannot read: ${err?.code ?? String(err?.message ?? e)}` };
  }
}
