// An independent syntax check for Python text (fixtures and quick-fix output), walking the
// tree-sitter tree itself rather than trusting the analyzer's own parse mirror.

import { Parser, type Node, type Tree } from 'web-tree-sitter';
// web-tree-sitter must be initialised once per process: a second `Parser.init` swaps the wasm
// module under every live parser (the analyzer's included). So we borrow the analyzer's one-time
// initialisation and grammar, and build our own parser and tree walk on top of it.
import { loadPython } from '../../../server/out/analysis/parse/parser';

export interface SyntaxProblem {
  /** 0-based. */
  line: number;
  /** 0-based. */
  character: number;
  message: string;
}

let parser: Promise<Parser> | undefined;

function pythonParser(): Promise<Parser> {
  parser ??= loadPython().then((language) => {
    const p = new Parser();
    p.setLanguage(language);
    return p;
  });
  return parser;
}

/**
 * Syntax problems tree-sitter reports (ERROR and MISSING nodes), plus a repeated keyword argument
 * in one call, which tree-sitter accepts but CPython rejects (`SyntaxError: keyword argument
 * repeated`), the typical result of a fix that adds `ConditionExpression=` to a call that has one.
 */
export async function pythonSyntaxProblems(text: string): Promise<SyntaxProblem[]> {
  const p = await pythonParser();
  const tree: Tree | null = p.parse(text);
  if (!tree) return [{ line: 0, character: 0, message: 'tree-sitter returned no tree' }];
  try {
    const problems: SyntaxProblem[] = [];
    const stack: Node[] = [tree.rootNode];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const at = { line: node.startPosition.row, character: node.startPosition.column };
      if (node.isMissing) {
        problems.push({ ...at, message: `missing "${node.type}"` });
      } else if (node.isError) {
        problems.push({ ...at, message: `syntax error near "${snippet(node.text)}"` });
      }
      if (node.type === 'argument_list') problems.push(...repeatedKeywords(node));
      for (const child of node.children) if (child) stack.push(child);
    }
    return problems.sort((a, b) => a.line - b.line || a.character - b.character);
  } finally {
    tree.delete();
  }
}

function repeatedKeywords(args: Node): SyntaxProblem[] {
  const seen = new Set<string>();
  const out: SyntaxProblem[] = [];
  for (const child of args.namedChildren) {
    if (!child || child.type !== 'keyword_argument') continue;
    const name = child.childForFieldName('name')?.text;
    if (name === undefined) continue;
    if (seen.has(name)) {
      out.push({ line: child.startPosition.row, character: child.startPosition.column, message: `keyword argument repeated: ${name}` });
    }
    seen.add(name);
  }
  return out;
}

function snippet(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

/** One problem per line, `file:line:col message`, for assertion messages. */
export function formatSyntaxProblems(file: string, problems: SyntaxProblem[]): string {
  return problems.map((p) => `  ${file}:${p.line + 1}:${p.character + 1} ${p.message}`).join('\n');
}

/** Run `fn` over a fresh tree of `text` (deleted afterwards). */
export async function withPythonTree<T>(text: string, fn: (root: Node) => T): Promise<T> {
  const p = await pythonParser();
  const tree = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return fn(tree.rootNode);
  } finally {
    tree.delete();
  }
}
