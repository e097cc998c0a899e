// The tree-sitter grammars the infrastructure readers use: Python (CDK apps) is the analyzer's own;
// Terraform comes from @tree-sitter-grammars/tree-sitter-hcl (a 92 KB wasm, no native build).
// Loaded once per process; `infraReady()` resolves when both can be used synchronously.

import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';
import { loadPython } from '../parse/parser';

let python: Language | undefined;
let terraform: Language | undefined;
let loading: Promise<void> | undefined;

function locate(file: string, pkgSpecifier: string): string {
  const besideBundle = path.join(__dirname, file);
  return fs.existsSync(besideBundle) ? besideBundle : require.resolve(pkgSpecifier);
}

export function infraReady(): Promise<void> {
  loading ??= (async () => {
    python = await loadPython();
    try {
      terraform = await Language.load(locate('tree-sitter-terraform.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'));
    } catch {
      // Without the grammar, Terraform files are reported as unreadable rather than failing analysis.
      terraform = undefined;
    }
  })();
  return loading;
}

/** A parser for `kind`, or undefined before `infraReady()` has resolved. Callers delete it. */
export function infraParser(kind: 'python' | 'terraform'): Parser | undefined {
  const lang = kind === 'python' ? python : terraform;
  if (!lang) return undefined;
  const p = new Parser();
  p.setLanguage(lang);
  return p;
}
