// Semgrep-style annotations in rule fixtures: a trailing `# expect: DG101, DG201` or `# ok: DG101`
// comment on the anchor line of a finding (see "Anchor line" in RULES.md). Only end-of-line
// annotations are supported, so a multi-line call carries its annotation on the line of the
// method name. Text inside string literals is not special-cased: fixtures simply avoid it.

/** Every code in the rule catalog (RULES.md), whether or not it is implemented yet. */
export const CATALOG_CODES: readonly string[] = [
  'DG101', 'DG102', 'DG103', 'DG104', 'DG105', 'DG106',
  'DG201', 'DG202', 'DG203', 'DG204', 'DG205',
  'DG301', 'DG302', 'DG303', 'DG304',
  'DG401', 'DG402', 'DG403', 'DG404', 'DG405', 'DG406', 'DG407',
  'DG501', 'DG502',
  'DG601', 'DG602',
];

/**
 * The rules these fixtures exist for. Their expectations are always enforced; expectations for
 * other catalog rules only once that rule is registered, so the fixtures can already say where a
 * later rule will (legitimately) fire without failing before it lands.
 */
export const CORE_CODES: readonly string[] = ['DG101', 'DG102', 'DG201', 'DG301', 'DG302'];

export type AnnotationKind = 'expect' | 'ok';

export interface Annotation {
  kind: AnnotationKind;
  rule: string;
  /** 0-based line, like `Finding.range.start.line`. */
  line: number;
}

export interface FileAnnotations {
  expect: Annotation[];
  ok: Annotation[];
  /** Malformed or contradictory annotations, already formatted with 1-based line numbers. */
  errors: string[];
}

// `# expect: ...` / `# ok: ...`; the optional suffix catches unsupported variants such as
// `# expect-next-line:` so they fail loudly instead of being silently ignored.
const ANNOTATION = /#\s*(expect|ok)([\w-]*)\s*:([^#]*)/g;
const CODE = /^[A-Z]{2}\d{3}$/;

export function parseAnnotations(text: string): FileAnnotations {
  const out: FileAnnotations = { expect: [], ok: [], errors: [] };
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, line) => {
    const seen = new Map<string, AnnotationKind>();
    for (const m of lineText.matchAll(ANNOTATION)) {
      const kind = m[1] as AnnotationKind;
      const where = `line ${line + 1}`;
      if (m[2]) {
        out.errors.push(`${where}: unsupported annotation "# ${kind}${m[2]}:" (only end-of-line "# expect:" / "# ok:")`);
        continue;
      }
      const codes = m[3]!.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
      if (codes.length === 0) out.errors.push(`${where}: "# ${kind}:" without a rule code`);
      for (const rule of codes) {
        if (!CODE.test(rule)) {
          out.errors.push(`${where}: malformed rule code "${rule}" in "# ${kind}:"`);
          continue;
        }
        const previous = seen.get(rule);
        if (previous !== undefined) {
          out.errors.push(previous === kind ? `${where}: ${rule} annotated twice` : `${where}: ${rule} is both expected and ok`);
          continue;
        }
        seen.set(rule, kind);
        out[kind].push({ kind, rule, line });
      }
    }
  });
  return out;
}

/** `file:line` with a 1-based line, the form editors and terminals turn into links. */
export function location(file: string, line0: number, character0?: number): string {
  return character0 === undefined ? `${file}:${line0 + 1}` : `${file}:${line0 + 1}:${character0 + 1}`;
}
