import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';

// web-tree-sitter 0.25 needs the grammar wasm built for ABI 13..15; tree-sitter-python 0.25.0 ships
// ABI 15. Check `Language.abiVersion` before upgrading either package.

let loaded: Promise<Language> | undefined;

/** Candidate directories for the two wasm files: next to the bundle first, then node_modules. */
function locate(file: string, pkgSpecifier: string): string {
  const besideBundle = path.join(__dirname, file);
  if (fs.existsSync(besideBundle)) return besideBundle;
  return require.resolve(pkgSpecifier);
}

/** Initialise tree-sitter once per process and return the Python language. */
export function loadPython(): Promise<Language> {
  loaded ??= (async () => {
    const runtimeWasm = locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtimeWasm });
    const grammar = locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm');
    return Language.load(grammar);
  })();
  return loaded;
}

export async function createParser(): Promise<Parser> {
  const language = await loadPython();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
