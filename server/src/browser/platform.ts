// The web worker's side of server/src/analysis/platform.ts (scripts/bundle.mjs substitutes this
// module for it): the wasm files and rule pages are URLs inside the extension, which the client
// sends in `initializationOptions.assets` (see ./connection.ts). Same exports as the Node module.

import type * as NodePlatform from '../analysis/platform';
import type { WasmFile } from '../analysis/platform';

export type { WasmFile };

/** URLs of the extension's assets, from the client (a worker's own URL may be a blob: URL). */
export interface BrowserAssets {
  'tree-sitter.wasm': string;
  'tree-sitter-python.wasm': string;
  /** Folder of the rule pages, without a trailing slash. */
  ruleDocs?: string;
}

let assets: BrowserAssets | undefined;

export function configureAssets(value: BrowserAssets): void {
  assets = value;
}

/** A data: URL is decoded here: a worker's content security policy may forbid loading one. */
export function locateWasm(file: WasmFile): string | Uint8Array {
  const url = assets?.[file];
  if (!url) throw new Error(`DynamoGuard: the client did not say where ${file} is (initializationOptions.assets)`);
  const data = /^data:[^,]*;base64,/.exec(url);
  if (!data) return url;
  const binary = atob(url.slice(data[0].length));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function ruleDocsDirectory(): string {
  return assets?.ruleDocs ?? 'https://github.com/dynamo-guard/dynamo-guard/blob/main/docs/rules';
}

// Compile-time check that both platforms offer the same functions.
({ locateWasm, ruleDocsDirectory }) satisfies typeof NodePlatform;
