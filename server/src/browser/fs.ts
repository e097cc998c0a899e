// The `fs` of the web worker (scripts/bundle.mjs substitutes it for Node's): a read-only,
// in-memory copy of the workspace that the client read through vscode.workspace.fs and sent in
// `initializationOptions.files`. The shared server code (pyproject lookup, workspace index and
// scan) then works unchanged; with no files sent, every lookup is a plain "no such file".
// Only the calls the server makes are provided.

type Bytes = Uint8Array;

const files = new Map<string, Bytes>();
const directories = new Map<string, Set<string>>();

const normalize = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
const parentOf = (p: string) => p.slice(0, Math.max(p.lastIndexOf('/'), 0)) || '/';
const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Adds a file (absolute POSIX path) and its directories. */
export function addFile(path: string, content: string | Bytes): void {
  const p = normalize(path);
  files.set(p, typeof content === 'string' ? new TextEncoder().encode(content) : content);
  let child = p;
  while (child !== '/') {
    const parent = parentOf(child);
    const entries = directories.get(parent) ?? new Set<string>();
    const known = entries.size > 0;
    entries.add(baseName(child));
    directories.set(parent, entries);
    if (known) break;
    child = parent;
  }
}

export function fileCount(): number {
  return files.size;
}

function notFound(syscall: string, p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${p}'`), { code: 'ENOENT', syscall, path: p });
}

export interface Stats {
  size: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

export interface Dirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

function entryKind(p: string): 'file' | 'directory' | undefined {
  if (files.has(p)) return 'file';
  return directories.has(p) ? 'directory' : undefined;
}

function stats(p: string, kind: 'file' | 'directory'): Stats {
  return {
    size: files.get(p)?.length ?? 0,
    mtimeMs: 0,
    isFile: () => kind === 'file',
    isDirectory: () => kind === 'directory',
    isSymbolicLink: () => false,
  };
}

export function existsSync(path: string): boolean {
  return entryKind(normalize(path)) !== undefined;
}

export function statSync(path: string): Stats {
  const p = normalize(path);
  const kind = entryKind(p);
  if (!kind) throw notFound('stat', p);
  return stats(p, kind);
}

export const lstatSync = statSync;

export function readFileSync(path: string): Bytes;
export function readFileSync(path: string, encoding: string | { encoding: string }): string;
export function readFileSync(path: string, encoding?: string | { encoding: string }): Bytes | string {
  const p = normalize(path);
  const bytes = files.get(p);
  if (!bytes) throw notFound('open', p);
  return encoding === undefined ? bytes : new TextDecoder().decode(bytes);
}

/** Names, as Node's readdirSync(dir) without options. */
export function readdirSync(path: string): string[] {
  return readdirEntries(path).map((e) => e.name);
}

function readdirEntries(path: string): Dirent[] {
  const p = normalize(path);
  const names = directories.get(p);
  if (!names) throw notFound('scandir', p);
  return [...names].map((name) => {
    const kind = entryKind(p === '/' ? `/${name}` : `${p}/${name}`);
    return { name, isFile: () => kind === 'file', isDirectory: () => kind === 'directory', isSymbolicLink: () => false };
  });
}

export const promises = {
  stat: async (path: string) => statSync(path),
  lstat: async (path: string) => statSync(path),
  readFile: async (path: string, encoding?: string) => (encoding === undefined ? readFileSync(path) : readFileSync(path, encoding)),
  readdir: async (path: string) => readdirEntries(path),
};
