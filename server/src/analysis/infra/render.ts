// Computed statements written back in the syntax of the file they replace (YAML with short-form
// intrinsics, JSON, HCL policy-document blocks, HCL jsonencode objects), and as text for `iam`.

import type { InfraTable, PolicyStatement } from './model';
import type { ComputedStatement } from './policy';

/** A CloudFormation value in YAML short form. */
function yamlRef(v: unknown): string {
  if (typeof v === 'string') return /^[\w:/.*-]+$/.test(v) ? v : JSON.stringify(v);
  const o = v as Record<string, unknown>;
  if (Array.isArray(o['Fn::GetAtt'])) return `!GetAtt ${(o['Fn::GetAtt'] as string[]).join('.')}`;
  if (typeof o['Fn::Sub'] === 'string') return `!Sub "${o['Fn::Sub']}"`;
  if (typeof o.Ref === 'string') return `!Ref ${o.Ref}`;
  return JSON.stringify(v);
}

function hclRef(v: unknown): string {
  const s = String(v);
  const whole = /^\$\{([^}]+)\}$/.exec(s);
  return whole ? whole[1]! : JSON.stringify(s);
}

/** Statements as a YAML block (first line unindented, the rest at `indent`), the list items `- `. */
export function toYaml(statements: readonly ComputedStatement[], indent: number, asDocument: boolean): string {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  const item = (s: ComputedStatement, base: string, first: boolean) => {
    lines.push(`${first ? '' : base}Effect: ${s.Effect}`);
    lines.push(`${base}Action:`);
    for (const a of s.Action) lines.push(`${base}  - ${a}`);
    lines.push(`${base}Resource:`);
    for (const r of s.Resource) lines.push(`${base}  - ${yamlRef(r)}`);
    if (s.Condition) lines.push(`${base}Condition: ${JSON.stringify(s.Condition)}`);
  };
  if (asDocument) {
    lines.push('Statement:');
    statements.forEach((s) => {
      const at = lines.length;
      item(s, `${pad}    `, false);
      lines[at] = `${pad}  - ${lines[at]!.trimStart()}`;
    });
  } else {
    statements.forEach((s, i) => {
      if (i === 0) item(s, pad, true);
      else {
        const at = lines.length;
        item(s, pad, false);
        lines[at] = `${pad.slice(2)}- ${lines[at]!.trimStart()}`;
      }
    });
  }
  return lines.join('\n');
}

export function toJson(statements: readonly ComputedStatement[], indent: number): string {
  const body = statements.map((s) => JSON.stringify(s, null, 2).split('\n').join(`\n${' '.repeat(indent)}`));
  return body.join(`,\n${' '.repeat(indent)}`);
}

export function toHclBlock(statements: readonly ComputedStatement[], indent: number): string {
  const pad = ' '.repeat(indent);
  return statements.map((s, i) => {
    const lines = [`${i === 0 ? '' : pad}statement {`, `${pad}  effect    = "Allow"`, `${pad}  actions   = [${s.Action.map((a) => JSON.stringify(a)).join(', ')}]`, `${pad}  resources = [${s.Resource.map(hclRef).join(', ')}]`];
    if (s.Condition) lines.push(`${pad}  condition {`, `${pad}    test     = "ForAllValues:StringEquals"`, `${pad}    variable = "dynamodb:LeadingKeys"`, `${pad}    values   = ["\${aws:PrincipalTag/sub}"]`, `${pad}  }`);
    lines.push(`${pad}}`);
    return lines.join('\n');
  }).join('\n');
}

export function toHclObject(statements: readonly ComputedStatement[], indent: number): string {
  const pad = ' '.repeat(indent);
  return statements.map((s, i) => [
    `${i === 0 ? '' : pad}{`,
    `${pad}  Effect   = "Allow"`,
    `${pad}  Action   = [${s.Action.map((a) => JSON.stringify(a)).join(', ')}]`,
    `${pad}  Resource = [${s.Resource.map(hclRef).join(', ')}]`,
    `${pad}}`,
  ].join('\n')).join(`,\n`);
}

/** Replacement text for statement `old`, or undefined when its syntax has no writer. */
export function replacementFor(old: PolicyStatement, statements: readonly ComputedStatement[]): string | undefined {
  if (statements.length === 0) return undefined;
  const col = old.loc.column;
  switch (old.syntax) {
    case 'yaml':
      return toYaml(statements, col, old.implied !== undefined);
    case 'json':
      return old.implied !== undefined ? `{"Statement": [${toJson(statements, col)}]}` : toJson(statements, col);
    case 'hcl':
      return toHclBlock(statements, col);
    case 'hcl-jsonencode':
      return toHclObject(statements, col);
    default:
      return undefined;
  }
}

/** A reference as the template writes it, for the text report. */
export function refText(v: unknown, table?: InfraTable): string {
  if (table?.format === 'terraform' || table?.format === 'cdk') return String(v);
  return yamlRef(v);
}
