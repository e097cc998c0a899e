import type { FileFacts } from '../model/facts';
import { textOf, type ModuleStructure } from '../model/module';
import type { WorkspaceIndex } from '../model/workspace';
import { field, visit, type SyntaxNode } from '../parse/syntax';

// Curated application errors (DG204): exception classes whose messages the application writes for
// its clients (`raise OrderNotFound("Order not found")`), wherever in the workspace they are
// defined and raised. A class is curated when it is an exception class, its own definition puts no
// traceback or chained exception into its text, and no module of the workspace raises it (or a
// subclass of it) with anything but literal arguments. Module summaries record both halves:
// the classes a module defines and the classes it raises with non-literal text.

/** An exception class a module defines: its bases' last names and whether its body formats internals. */
export interface ErrorClassFacts {
  bases: string[];
  formatsInternals: boolean;
}

const MAX_CLASSES = 64;
const MAX_DEPTH = 8;
/** Re-exports followed from the importing module to the defining one (`from .errors import AppError` in `__init__.py`). */
const MAX_REEXPORTS = 4;
const INTERNALS = /\btraceback\b|exc_info|__cause__|__context__|format_exc/;
const ERROR_BASE = /(Exception|Error)$/;

/** `raise E("Order not found")`, `raise E("Gone", 410)`, `raise E(code=ORDER_GONE)`: nothing computed from a caught error. */
export function literalArgs(text: string, call: SyntaxNode): boolean {
  const args = field(call, 'arguments')?.children.filter((c) => c.named) ?? [];
  return args.every((a) => {
    const v = a.type === 'keyword_argument' ? field(a, 'value')! : a;
    return (v.type === 'string' && !v.children.some((c) => c.type === 'interpolation')) || v.type === 'integer' || /^[A-Z][A-Z0-9_]*$|^(status|HTTPStatus)\.\w+$/.test(textOf(text, v));
  });
}

const lastName = (dotted: string) => dotted.slice(dotted.lastIndexOf('.') + 1);

const classesMemo = new WeakMap<ModuleStructure, Record<string, ErrorClassFacts>>();

/** The exception classes `structure` defines (by name): bases named `*Error`/`*Exception`, or a class of the module that is one. */
export function errorClassesOf(text: string, structure: ModuleStructure): Record<string, ErrorClassFacts> {
  let out = classesMemo.get(structure);
  if (out) return out;
  const bases = new Map<string, string[]>();
  for (const c of structure.classes.values()) bases.set(c.name, c.bases.map((b) => lastName(textOf(text, b))));
  const isError = (name: string, depth = 0): boolean => depth < MAX_DEPTH && (bases.get(name) ?? []).some((b) => ERROR_BASE.test(b) || (b !== name && isError(b, depth + 1)));
  out = {};
  for (const c of structure.classes.values()) {
    if (Object.keys(out).length >= MAX_CLASSES) break;
    if (isError(c.name)) out[c.name] = { bases: bases.get(c.name)!, formatsInternals: INTERNALS.test(textOf(text, c.node)) };
  }
  classesMemo.set(structure, out);
  return out;
}

const raisesMemo = new WeakMap<ModuleStructure, string[]>();

/** Last names of the classes `structure` raises with computed text somewhere (`raise AppError(str(e))`). */
export function nonLiteralRaises(text: string, structure: ModuleStructure): string[] {
  let out = raisesMemo.get(structure);
  if (out) return out;
  const found = new Set<string>();
  for (const unit of structure.units) {
    visit(unit.node, (n) => {
      if (n.type !== 'raise_statement') return true;
      const raised = n.children.find((c) => c.named);
      const callee = raised?.type === 'call' ? textOf(text, field(raised, 'function')!) : '';
      if (/^[\w.]+$/.test(callee) && /^[A-Z]/.test(lastName(callee)) && !literalArgs(text, raised!) && found.size < MAX_CLASSES) found.add(lastName(callee));
      return false;
    });
  }
  out = [...found];
  raisesMemo.set(structure, out);
  return out;
}

interface Defined {
  text: string;
  structure: ModuleStructure;
  name: string;
}

/** The module and class an exception type written in `facts` names: local, imported, or re-exported by a package. */
function definition(facts: FileFacts, typeText: string): Defined | undefined {
  let text = facts.text;
  let structure = facts.module;
  let file = facts.path;
  let name = lastName(typeText);
  const head = typeText.split('.')[0]!;
  let qualified = typeText.includes('.') || !structure.classes.has(name) ? structure.imports.get(head)?.qualified : undefined;
  if (qualified !== undefined) qualified += typeText.slice(head.length);
  for (let hop = 0; qualified !== undefined && hop < MAX_REEXPORTS; hop++) {
    const cut = qualified.lastIndexOf('.');
    if (cut <= 0 || !facts.workspace?.moduleFacts) return undefined;
    name = qualified.slice(cut + 1);
    const mod = facts.workspace.moduleFacts(file, qualified.slice(0, cut));
    if (!mod) return undefined;
    ({ text, module: structure } = mod.facts);
    file = mod.path;
    qualified = structure.classes.has(name) ? undefined : structure.imports.get(name)?.qualified;
    if (qualified === undefined && !structure.classes.has(name)) return undefined;
  }
  return structure.classes.has(name) ? { text, structure, name } : undefined;
}

interface WorkspaceErrors {
  version: number;
  tainted: Set<string>;
  bases: Map<string, string[]>;
}
const workspaceMemo = new WeakMap<WorkspaceIndex, WorkspaceErrors>();

/** Classes raised with computed text anywhere the index summarised, and every summarised class's bases. */
function workspaceErrors(workspace: WorkspaceIndex | undefined): WorkspaceErrors | undefined {
  if (!workspace?.summaries) return undefined;
  const hit = workspaceMemo.get(workspace);
  if (hit && hit.version === workspace.version) return hit;
  const out: WorkspaceErrors = { version: workspace.version, tainted: new Set(), bases: new Map() };
  for (const s of workspace.summaries()) {
    for (const n of s.errorsRaisedWithText ?? []) out.tainted.add(n);
    for (const [n, c] of Object.entries(s.errorClasses ?? {})) out.bases.set(n, [...(out.bases.get(n) ?? []), ...c.bases].slice(0, MAX_DEPTH));
  }
  workspaceMemo.set(workspace, out);
  return out;
}

/**
 * Is `typeText` (as written in an `except` clause or `errorhandler(...)`) a curated application
 * error? Subclasses are matched by name across modules: a same-named class elsewhere raised with
 * computed text makes the answer no, which errs towards reporting.
 */
export function curatedError(facts: FileFacts, typeText: string): boolean {
  const def = definition(facts, typeText);
  if (!def) return false;
  const classes = errorClassesOf(def.text, def.structure);
  const own = classes[def.name];
  if (!own) return false;
  const ws = workspaceErrors(facts.workspace);
  const tainted = new Set([...nonLiteralRaises(facts.text, facts.module), ...nonLiteralRaises(def.text, def.structure), ...(ws?.tainted ?? [])]);
  const local = errorClassesOf(facts.text, facts.module);
  const basesOf = (n: string) => [...(classes[n]?.bases ?? []), ...(local[n]?.bases ?? []), ...(ws?.bases.get(n) ?? [])];
  // A class is tainted when it, or any class descending from it, is raised with computed text.
  const descends = (n: string, depth: number): boolean => n === def.name || (depth < MAX_DEPTH && basesOf(n).some((b) => b !== n && descends(b, depth + 1)));
  for (const t of tainted) if (descends(t, 0)) return false;
  // The class's own text: none of it (nor of its ancestors here) formats a traceback or a chained cause.
  const internals = (n: string, depth: number): boolean => !!classes[n]?.formatsInternals || (depth < MAX_DEPTH && (classes[n]?.bases ?? []).some((b) => b !== n && internals(b, depth + 1)));
  return !internals(def.name, 0);
}
