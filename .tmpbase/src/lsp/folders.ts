// The workspace folders the editor told us about (initialize, then didChangeWorkspaceFolders).

import type { InitializeParams, WorkspaceFoldersChangeEvent } from 'vscode-languageserver/node';
import { isUnder, pathKey, pathToUri, uriToPath } from './uri';

export interface Folder {
  uri: string;
  path: string;
}

export class WorkspaceFolders {
  private folders: Folder[] = [];

  constructor(params: InitializeParams) {
    if (params.workspaceFolders) {
      for (const f of params.workspaceFolders) this.add(f.uri);
    } else if (params.rootUri) {
      this.add(params.rootUri);
    } else if (params.rootPath) {
      // Pre-3.0 clients only send the deprecated rootPath.
      this.add(pathToUri(params.rootPath));
    }
  }

  list(): readonly Folder[] {
    return this.folders;
  }

  onChange(event: WorkspaceFoldersChangeEvent): void {
    const removed = new Set(event.removed.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p).map(pathKey));
    this.folders = this.folders.filter((f) => !removed.has(pathKey(f.path)));
    for (const f of event.added) this.add(f.uri);
  }

  /** The innermost folder containing `p` (nested folders are legal in multi-root workspaces). */
  containing(p: string): Folder | undefined {
    let best: Folder | undefined;
    for (const f of this.folders) if (isUnder(p, f.path) && (!best || f.path.length > best.path.length)) best = f;
    return best;
  }

  private add(uri: string): void {
    const p = uriToPath(uri);
    if (!p || this.folders.some((f) => pathKey(f.path) === pathKey(p))) return;
    this.folders.push({ uri, path: p });
  }
}
