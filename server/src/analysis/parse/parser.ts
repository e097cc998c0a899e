import { Language, Parser } from 'web-tree-sitter';
import { locateWasm } from '../platform';

// web-tree-sitter 0.25 needs the grammar wasm built for ABI 13..15; tree-sitter-python 0.25.0 ships
// ABI 15. Check `Language.abiVersion` before upgrading either package.

let loaded: Promise<Language> | undefined;

/** Initialise tree-sitter once per process and return the Python language. */
export function loadPython(): Promise<Language> {
  loaded ??= (async () => {
    const runtimeWasm = locateWasm('tree-sitter.wasm');
    // Given the bytes, tree-sitter still asks for a file name (and matches it to them).
    await Parser.init(typeof runtimeWasm === 'string' ? { locateFile: () => runtimeWasm } : { wasmBinary: runtimeWasm, locateFile: (name: string) => name });
    const grammar = locateWasm('tree-sitter-python.wasm');
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
