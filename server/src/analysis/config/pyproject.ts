// `[tool.dynamo-guard]` out of pyproject.toml with the position of every key and value, through a
// real TOML parser (toml-eslint-parser: a full TOML 1.0 AST with locations), so every form TOML
// allows is accepted — `[ tool.dynamo-guard ]`, quoted keys, dotted keys, the inline-table form
// `tool = { dynamo-guard = {...} }`, sub-tables such as `[tool.dynamo-guard.severity]` alone —
// and every mistake can be shown where it is written.

import * as fs from 'fs';
import * as path from 'path';
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import type { Range } from '../types';
import type { ConfigIssue, Locator } from './schema';

const SECTION = ['tool', 'dynamo-guard'];

export interface PyprojectSection {
  /** The `[tool.dynamo-guard]` table, undefined when the file has none (or could not be read). */
  raw: Record<string, unknown> | undefined;
  /** Positions inside the section (paths relative to it). */
  locate: Locator;
  /** A TOML syntax error, or a section that is not a table. */
  issues: ConfigIssue[];
  /**
   * The file does not parse and the section could not be read on its own either (the error is
   * inside it): callers keep their last good settings rather than fall back to defaults.
   */
  broken: boolean;
}

type Loc = { start: { line: number; column: number }; end: { line: number; column: number } };

const toRange = (loc: Loc): Range => ({
  start: { line: loc.start.line - 1, character: loc.start.column },
  end: { line: loc.end.line - 1, character: loc.end.column },
});

const keyPath = (p: ReadonlyArray<string | number>) => p.map(String).join('\u0000');

/** Key and value ranges of every entry of the document, by absolute path. */
function collectLocations(ast: AST.TOMLProgram): Map<string, { key?: Range; value?: Range }> {
  const map = new Map<string, { key?: Range; value?: Range }>();
  const visitValue = (base: Array<string | number>, node: AST.TOMLContentNode) => {
    if (node.type === 'TOMLArray') {
      node.elements.forEach((el, i) => {
        map.set(keyPath([...base, i]), { value: toRange(el.loc) });
        visitValue([...base, i], el);
      });
    } else if (node.type === 'TOMLInlineTable') {
      for (const kv of node.body) visitKeyValue(base, kv);
    }
  };
  const visitKeyValue = (base: Array<string | number>, kv: AST.TOMLKeyValue) => {
    const names = kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
    const last = kv.key.keys[kv.key.keys.length - 1]!;
    const full = [...base, ...names];
    map.set(keyPath(full), { key: toRange(last.loc), value: toRange(kv.value.loc) });
    visitValue(full, kv.value);
  };
  for (const top of ast.body) {
    for (const item of top.body) {
      if (item.type === 'TOMLKeyValue') visitKeyValue([], item);
      else {
        const keys = item.key.keys;
        const entry = map.get(keyPath(item.resolvedKey)) ?? {};
        if (!entry.key) map.set(keyPath(item.resolvedKey), { ...entry, key: toRange(keys[keys.length - 1]!.loc) });
        for (const kv of item.body) visitKeyValue([...item.resolvedKey], kv);
      }
    }
  }
  return map;
}

interface Parsed {
  doc: Record<string, unknown>;
  ast: AST.TOMLProgram;
}

function tryParse(text: string): Parsed | { error: ConfigIssue } {
  try {
    const ast = parseTOML(text);
    return { ast, doc: getStaticTOMLValue(ast) as Record<string, unknown> };
  } catch (e) {
    const err = e as Error & { lineNumber?: number; column?: number };
    const line = Math.max(0, (err.lineNumber ?? 1) - 1);
    const lineText = text.split('\n')[line] ?? '';
    const character = Math.min(err.column ?? 0, lineText.length);
    // From the error to the end of its line, so the squiggle is visible even at a line's end.
    const end = Math.max(character + 1, lineText.replace(/\s+$/, '').length);
    return {
      error: {
        kind: 'syntax',
        message: `invalid TOML: ${err.message.split('\n')[0]}`,
        range: { start: { line, character }, end: { line, character: Math.min(end, Math.max(lineText.length, character)) } },
      },
    };
  }
}

const HEADER_RE = /^\s*\[\[?\s*(.*?)\s*\]\]?\s*(#.*)?$/;
const OUR_HEADER_RE = /^(tool|"tool"|'tool')\s*\.\s*(dynamo-guard|"dynamo-guard"|'dynamo-guard')(\s*\.|$)/;

/**
 * The file with every line outside our tables blanked (so positions stay put): when a mistake
 * elsewhere in pyproject.toml (a half-typed dependency) breaks the parse, our settings still hold.
 */
function onlyOurTables(text: string): { text: string; lines: Set<number> } {
  const lines = text.split('\n');
  const ours = new Set<number>();
  let inside = false;
  const out = lines.map((line, i) => {
    const h = HEADER_RE.exec(line);
    if (h && !/^\s*\[\s*["']?[^\]]*=/.test(line)) inside = OUR_HEADER_RE.test(h[1]!);
    if (!inside) return '';
    ours.add(i);
    return line;
  });
  return { text: out.join('\n'), lines: ours };
}

function sectionOf(parsed: Parsed): { raw: Record<string, unknown> | undefined; issues: ConfigIssue[]; locate: Locator } {
  const locations = collectLocations(parsed.ast);
  const locate: Locator = (p) => locations.get(keyPath([...SECTION, ...p]));
  const tool = parsed.doc['tool'];
  const section = tool && typeof tool === 'object' ? (tool as Record<string, unknown>)['dynamo-guard'] : undefined;
  if (section === undefined) return { raw: undefined, issues: [], locate };
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    const at = locations.get(keyPath(SECTION));
    const issue: ConfigIssue = { kind: 'invalid-type', message: '"tool.dynamo-guard" must be a table' };
    if (at?.key) issue.range = at.key;
    return { raw: undefined, issues: [issue], locate };
  }
  return { raw: section as Record<string, unknown>, issues: [], locate };
}

export function readPyprojectText(text: string): PyprojectSection {
  const parsed = tryParse(text);
  if (!('error' in parsed)) return { ...sectionOf(parsed), broken: false };
  // Our tables parse on their own: the mistake is elsewhere (an unterminated array above can make
  // the parser report it further down, inside our table), so the settings still hold.
  const ours = onlyOurTables(text);
  if (ours.lines.size > 0) {
    const alone = tryParse(ours.text);
    if (!('error' in alone)) {
      const s = sectionOf(alone);
      return { raw: s.raw, locate: s.locate, issues: [parsed.error, ...s.issues], broken: false };
    }
  }
  return { raw: undefined, locate: () => undefined, issues: [parsed.error], broken: true };
}

/** Does this pyproject.toml configure DynamoGuard (or try to, and fail to parse)? */
export function mentionsUs(text: string): boolean {
  return text.includes('dynamo-guard');
}

/** Nearest pyproject.toml at or above `dir` that configures DynamoGuard, up to `stopAt`. */
export function findPyproject(dir: string, stopAt?: string): string | undefined {
  let cur = path.resolve(dir);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    const candidate = path.join(cur, 'pyproject.toml');
    try {
      // Regular files of sane size only: a FIFO would block, a link to /dev/zero never ends.
      const stat = fs.statSync(candidate);
      if (stat.isFile() && stat.size <= 4 * 1024 * 1024) {
        const text = fs.readFileSync(candidate, 'utf8');
        if (mentionsUs(text)) {
          const read = readPyprojectText(text);
          // A file that does not parse at all may be ours: its error must be seen, not skipped.
          if (read.raw !== undefined || read.broken || read.issues.length > 0) return candidate;
        }
      }
    } catch {
      // not there or unreadable: keep climbing
    }
    const parent = path.dirname(cur);
    if (parent === cur || cur === stop) return undefined;
    cur = parent;
  }
}
