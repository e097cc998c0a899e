import { textOf, type ModuleStructure } from '../module';

// What a file's declarations say about validation: Enum classes, `Literal` aliases, constrained
// parameter and field types.

const enumCache = new WeakMap<ModuleStructure, Set<string>>();
const literalAliasCache = new WeakMap<ModuleStructure, Set<string>>();
const fieldCache = new WeakMap<ModuleStructure, Map<string, boolean>>();

/** Classes of the file that are Enums (`class Status(str, Enum)`): their members are an allow-list. */
export function enumClasses(ctx: { text: string; structure: ModuleStructure }): Set<string> {
  let out = enumCache.get(ctx.structure);
  if (!out) {
    out = new Set();
    for (const [name, cls] of ctx.structure.classes) if (cls.bases.some((b) => /(^|\.)(Enum|StrEnum|IntEnum|Flag|IntFlag)$/.test(textOf(ctx.text, b)))) out.add(name);
    enumCache.set(ctx.structure, out);
  }
  return out;
}

/** Module-level `Kind = Literal["a", "b"]` aliases. */
function literalAliases(ctx: { text: string; structure: ModuleStructure }): Set<string> {
  let out = literalAliasCache.get(ctx.structure);
  if (!out) {
    out = new Set();
    for (const st of ctx.structure.statements) {
      const m = /^(\w+)\s*(?::[^=\n]*)?=\s*(?:typing\.)?Literal\[/.exec(textOf(ctx.text, st));
      if (m) out.add(m[1]!);
    }
    literalAliasCache.set(ctx.structure, out);
  }
  return out;
}

const VALIDATING_DECLARATION = /\bLiteral\[|(^|[[,|(]\s*)(uuid\.|datetime\.|pydantic\.)?(UUID\d?|date|datetime|EmailStr)\s*($|[\],|=)])|\b(Query|Path|Header|Cookie|Form|Field|Body|conint|constr|confloat|condecimal|StringConstraints)\s*\(([^()]|\([^()]*\))*\b(regex|pattern|le|lt)\s*=/;

/**
 * Does a parameter or field declaration (annotation and default, as text) validate its value:
 * `Literal[...]`, an Enum of the file or a `Literal` alias, UUID/date types, `Query(pattern=...)`,
 * `Query(le=100)`, `conint(le=100)`?
 */
export function declaresValidation(ctx: { text: string; structure: ModuleStructure }, decl: string): boolean {
  if (VALIDATING_DECLARATION.test(decl)) return true;
  for (const name of decl.match(/\b[A-Z]\w*/g) ?? []) if (enumClasses(ctx).has(name) || literalAliases(ctx).has(name)) return true;
  return false;
}

/** `status: Literal["open", "closed"]` / `limit: int = Field(20, le=100)` in a Pydantic body model. */
export function modelFieldValidated(ctx: { text: string; structure: ModuleStructure }, model: string, attr: string): boolean {
  let cache = fieldCache.get(ctx.structure);
  if (!cache) fieldCache.set(ctx.structure, (cache = new Map()));
  const key = `${model}.${attr}`;
  let out = cache.get(key);
  if (out === undefined) {
    const cls = ctx.structure.classes.get(model);
    const m = cls?.fields.includes(attr) ? new RegExp(`^[ \\t]+${attr}\\s*:(.*)$`, 'm').exec(textOf(ctx.text, cls.node)) : null;
    out = !!m && declaresValidation(ctx, m[1]!);
    cache.set(key, out);
  }
  return out;
}

