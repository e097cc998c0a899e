import type { Unit } from '../parse/document';
import { field, fields, type SyntaxNode } from '../parse/syntax';

export interface ParamInfo {
  name: string;
  index: number;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  default?: SyntaxNode;
  annotation?: SyntaxNode;
  kind: 'normal' | 'args' | 'kwargs' | 'keywordOnly';
}

export interface FunctionInfo {
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  params: ParamInfo[];
  parametersNode: SyntaxNode;
  /** Decorator expressions (without the `@`). */
  decorators: SyntaxNode[];
  /** The statement to anchor on / insert before: decorated_definition or function_definition. */
  outer: SyntaxNode;
  body: SyntaxNode;
  returnType?: SyntaxNode;
  isAsync: boolean;
  className?: string;
  unit: Unit;
}

export interface ClassInfo {
  name: string;
  node: SyntaxNode;
  bases: SyntaxNode[];
  methods: FunctionInfo[];
  /** Annotated class attributes (`name: str`), in order: Pydantic / dataclass fields. */
  fields: string[];
  /** PynamoDB attributes with hash_key=True / range_key=True. */
  hashKey?: string;
  rangeKey?: string;
}

export interface ImportInfo {
  /** Fully qualified dotted name the local name stands for (`fastapi.FastAPI`, `boto3`, `.db.table`). */
  qualified: string;
  node: SyntaxNode;
}

export interface ModuleStructure {
  text: string;
  imports: Map<string, ImportInfo>;
  importNodes: SyntaxNode[];
  functions: FunctionInfo[];
  /** Top-level functions by name (methods are in their class). */
  topFunctions: Map<string, FunctionInfo>;
  classes: Map<string, ClassInfo>;
  /** Top-level statements other than defs/classes/imports, in order (evaluated for globals). */
  statements: SyntaxNode[];
  units: Unit[];
}

export function textOf(text: string, node: SyntaxNode): string {
  return text.slice(node.start, node.end);
}

export function collectImports(text: string, stmt: SyntaxNode, into: Map<string, ImportInfo>): void {
  if (stmt.type === 'import_statement') {
    for (const n of fields(stmt, 'name')) {
      if (n.type === 'aliased_import') {
        const mod = field(n, 'name')!;
        const alias = field(n, 'alias')!;
        into.set(textOf(text, alias), { qualified: textOf(text, mod), node: stmt });
      } else {
        const dotted = textOf(text, n);
        // `import a.b` binds `a`, which stands for the package a.
        const head = dotted.split('.')[0]!;
        into.set(head, { qualified: head, node: stmt });
      }
    }
  } else if (stmt.type === 'import_from_statement') {
    const modNode = field(stmt, 'module_name');
    const mod = modNode ? textOf(text, modNode) : '';
    for (const n of fields(stmt, 'name')) {
      if (n.type === 'aliased_import') {
        const name = textOf(text, field(n, 'name')!);
        const alias = textOf(text, field(n, 'alias')!);
        into.set(alias, { qualified: join(mod, name), node: stmt });
      } else {
        const name = textOf(text, n);
        into.set(name, { qualified: join(mod, name), node: stmt });
      }
    }
  }
}

function join(mod: string, name: string): string {
  return mod.endsWith('.') ? mod + name : `${mod}.${name}`;
}

export function functionInfo(text: string, def: SyntaxNode, outer: SyntaxNode, unit: Unit, className?: string): FunctionInfo {
  const nameNode = field(def, 'name')!;
  const parametersNode = field(def, 'parameters')!;
  const params: ParamInfo[] = [];
  let keywordOnly = false;
  for (const p of parametersNode.children) {
    if (!p.named) {
      if (p.type === '*') keywordOnly = true;
      continue;
    }
    let nameN: SyntaxNode | undefined;
    let kind: ParamInfo['kind'] = keywordOnly ? 'keywordOnly' : 'normal';
    let defaultN: SyntaxNode | undefined;
    let annotation: SyntaxNode | undefined;
    switch (p.type) {
      case 'identifier':
        nameN = p;
        break;
      case 'typed_parameter':
        nameN = p.children.find((c) => c.type === 'identifier' && c.field !== 'type');
        annotation = field(p, 'type');
        if (p.children.some((c) => c.type === 'list_splat_pattern')) {
          nameN = p.children.find((c) => c.type === 'list_splat_pattern')!.children.find((c) => c.type === 'identifier');
          kind = 'args';
          keywordOnly = true;
        } else if (p.children.some((c) => c.type === 'dictionary_splat_pattern')) {
          nameN = p.children.find((c) => c.type === 'dictionary_splat_pattern')!.children.find((c) => c.type === 'identifier');
          kind = 'kwargs';
        }
        break;
      case 'default_parameter':
        nameN = field(p, 'name');
        defaultN = field(p, 'value');
        break;
      case 'typed_default_parameter':
        nameN = field(p, 'name');
        defaultN = field(p, 'value');
        annotation = field(p, 'type');
        break;
      case 'list_splat_pattern':
        nameN = p.children.find((c) => c.type === 'identifier');
        kind = 'args';
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        nameN = p.children.find((c) => c.type === 'identifier');
        kind = 'kwargs';
        break;
      case 'keyword_separator':
        keywordOnly = true;
        continue;
      default:
        continue;
    }
    if (!nameN) continue;
    const info: ParamInfo = { name: textOf(text, nameN), index: params.length, node: p, nameNode: nameN, kind };
    if (defaultN) info.default = defaultN;
    if (annotation) info.annotation = annotation;
    params.push(info);
  }
  const decorators = outer.type === 'decorated_definition'
    ? outer.children.filter((c) => c.type === 'decorator').map((d) => d.children.find((c) => c.named)!).filter(Boolean)
    : [];
  const info: FunctionInfo = {
    name: textOf(text, nameNode),
    node: def,
    nameNode,
    params,
    parametersNode,
    decorators,
    outer,
    body: field(def, 'body')!,
    isAsync: def.children.some((c) => c.type === 'async'),
    unit,
  };
  const rt = field(def, 'return_type');
  if (rt) info.returnType = rt;
  if (className) info.className = className;
  return info;
}

function definitionOf(stmt: SyntaxNode): SyntaxNode | undefined {
  if (stmt.type === 'function_definition' || stmt.type === 'class_definition') return stmt;
  if (stmt.type === 'decorated_definition') return field(stmt, 'definition');
  return undefined;
}

function classInfo(text: string, def: SyntaxNode, unit: Unit, functions: FunctionInfo[]): ClassInfo {
  const name = textOf(text, field(def, 'name')!);
  const supers = field(def, 'superclasses');
  const bases = supers ? supers.children.filter((c) => c.named && c.type !== 'keyword_argument') : [];
  const info: ClassInfo = { name, node: def, bases, methods: [], fields: [] };
  const body = field(def, 'body');
  for (const stmt of body?.children ?? []) {
    const d = definitionOf(stmt);
    if (d?.type === 'function_definition') {
      const fn = functionInfo(text, d, stmt, unit, name);
      info.methods.push(fn);
      functions.push(fn);
      continue;
    }
    if (stmt.type !== 'expression_statement') continue;
    const asg = stmt.children[0];
    if (asg?.type !== 'assignment') continue;
    const left = field(asg, 'left');
    if (left?.type !== 'identifier') continue;
    const attr = textOf(text, left);
    if (field(asg, 'type')) info.fields.push(attr);
    const right = field(asg, 'right');
    if (right?.type === 'call') {
      const rtext = textOf(text, right);
      if (/hash_key\s*=\s*True/.test(rtext)) info.hashKey = attr;
      if (/range_key\s*=\s*True/.test(rtext)) info.rangeKey = attr;
      if (!field(asg, 'type') && /Attribute\s*\(/.test(rtext)) info.fields.push(attr);
    }
  }
  return info;
}

interface UnitScan {
  imports: Array<[string, ImportInfo]>;
  importNodes: SyntaxNode[];
  functions: FunctionInfo[];
  topFunctions: FunctionInfo[];
  classes: ClassInfo[];
  statements: SyntaxNode[];
}

// A unit reused across edits keeps its syntax nodes (shifted in place), so what we read from it
// stays valid: scan each unit once.
const unitScans = new WeakMap<Unit, UnitScan>();

function scanUnit(text: string, unit: Unit): UnitScan {
  const cached = unitScans.get(unit);
  if (cached) return cached;
  const imports = new Map<string, ImportInfo>();
  const out: UnitScan = { imports: [], importNodes: [], functions: [], topFunctions: [], classes: [], statements: [] };
  const visitStmt = (stmt: SyntaxNode, nested: boolean) => {
    if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement') {
      collectImports(text, stmt, imports);
      out.importNodes.push(stmt);
      return;
    }
    if (stmt.type === 'future_import_statement') {
      out.importNodes.push(stmt);
      return;
    }
    const def = definitionOf(stmt);
    if (def?.type === 'function_definition') {
      const fn = functionInfo(text, def, stmt, unit);
      out.functions.push(fn);
      out.topFunctions.push(fn);
      return;
    }
    if (def?.type === 'class_definition') {
      out.classes.push(classInfo(text, def, unit, out.functions));
      return;
    }
    // `try: import x except ImportError: ...` and `if TYPE_CHECKING:` blocks still bind names.
    if (!nested && (stmt.type === 'try_statement' || stmt.type === 'if_statement')) {
      for (const block of stmt.children) {
        const b = block.type === 'block' ? block : block.children.find((c) => c.type === 'block');
        for (const st of b?.children ?? []) visitStmt(st, true);
      }
      out.statements.push(stmt);
      return;
    }
    if (!nested) out.statements.push(stmt);
  };
  visitStmt(unit.node, false);
  out.imports = [...imports];
  unitScans.set(unit, out);
  return out;
}

/** Structure of a module: imports, functions, classes, other top-level statements. Cheap: no dataflow. */
export function scanModule(text: string, units: Unit[]): ModuleStructure {
  const imports = new Map<string, ImportInfo>();
  const importNodes: SyntaxNode[] = [];
  const functions: FunctionInfo[] = [];
  const topFunctions = new Map<string, FunctionInfo>();
  const classes = new Map<string, ClassInfo>();
  const statements: SyntaxNode[] = [];
  for (const unit of units) {
    const u = scanUnit(text, unit);
    for (const [k, v] of u.imports) imports.set(k, v);
    importNodes.push(...u.importNodes);
    functions.push(...u.functions);
    for (const fn of u.topFunctions) if (!topFunctions.has(fn.name)) topFunctions.set(fn.name, fn);
    for (const c of u.classes) classes.set(c.name, c);
    statements.push(...u.statements);
  }
  breakBaseCycles(text, classes);
  return { text, imports, importNodes, functions, topFunctions, classes, statements, units };
}

/**
 * `class Base(Base)` after `class Base` (a redefinition) or two redefinitions naming each other
 * make the by-name base graph cyclic, and everything that walks bases would recurse forever.
 * The bases that close a cycle are dropped (in a copy: ClassInfo objects are cached per unit).
 */
function breakBaseCycles(text: string, classes: Map<string, ClassInfo>): void {
  const state = new Map<string, 1 | 2>();
  const baseNames = (c: ClassInfo) => c.bases.map((b) => (b.type === 'identifier' ? textOf(text, b) : ''));
  for (const start of classes.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: a chain of thousands of classes cannot overflow the stack.
    const frame = (name: string) => ({ name, cls: classes.get(name)!, names: baseNames(classes.get(name)!), next: 0 });
    const stack = [frame(start)];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const { cls, names } = top;
      if (top.next >= names.length) {
        state.set(top.name, 2);
        stack.pop();
        continue;
      }
      const i = top.next++;
      const base = names[i]!;
      if (!classes.has(base)) continue;
      const seen = state.get(base);
      if (seen === 1) {
        const current = classes.get(top.name)!;
        classes.set(top.name, { ...current, bases: current.bases.filter((b) => b !== cls.bases[i]) });
      } else if (seen === undefined) {
        state.set(base, 1);
        stack.push(frame(base));
      }
    }
  }
}
