// What the analyzer needs from its host, for Node (CLI, stdio server, tests). The web worker
// build (scripts/bundle.mjs) substitutes server/src/browser/platform.ts, which has the same
// exports: keep the two in step.

import * as fs from 'fs';
import * as path from 'path';

export type WasmFile = 'tree-sitter.wasm' | 'tree-sitter-python.wasm';

const PACKAGE_OF: Record<WasmFile, string> = {
  'tree-sitter.wasm': 'web-tree-sitter/tree-sitter.wasm',
  'tree-sitter-python.wasm': 'tree-sitter-python/tree-sitter-python.wasm',
};

/**
 * Where a wasm file is (a path here; a URL or the bytes themselves in the browser): next to the
 * bundle, else node_modules.
 */
export function locateWasm(file: WasmFile): string | Uint8Array {
  // __dirname is dist/ in the bundle, server/out/analysis in tsc's output.
  const besideBundle = path.join(__dirname, file);
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve(PACKAGE_OF[file]);
}

/** The folder of the rule pages shipped with this build (bundle: dist/docs/rules, dev: <repo>/docs/rules). */
export function ruleDocsDirectory(): string {
  const candidates = [
    path.join(__dirname, 'docs', 'rules'),
    path.join(__dirname, '..', '..', '..', 'docs', 'rules'),
    path.join(__dirname, '..', '..', 'docs', 'rules'),
  ];
  return candidates.find((d) => fs.existsSync(d)) ?? candidates[0]!;
}
