// DG601's check, which runs on a service (its infrastructure model and the analysis of every
// deployed function's code), not on one Python file: findings are anchored in the template.

import type { Finding } from '../types';
import type { InfraModel, PolicyStatement } from './model';
import { excess, leastPrivilege, type Need } from './policy';
import type { FunctionAnalysis } from './project';
import { replacementFor } from './render';

export interface TemplateFinding {
  file: string;
  finding: Finding;
}

function locKey(s: PolicyStatement): string {
  return `${s.loc.file}:${s.loc.line}:${s.loc.column}`;
}

/**
 * One finding per statement that grants more than the code of every function sharing it needs.
 * Functions whose handler was not found, or whose calls could not all be tied to a table, make
 * the statements they share unjudgeable (what they need is unknown).
 */
export function overPrivileged(model: InfraModel, analyses: readonly FunctionAnalysis[], message: (data: Record<string, string>) => string): TemplateFinding[] {
  const shared = new Map<string, { statement: PolicyStatement; users: FunctionAnalysis[] }>();
  for (const a of analyses) {
    for (const s of a.fn.policies) {
      const k = locKey(s);
      const entry = shared.get(k) ?? { statement: s, users: [] };
      entry.users.push(a);
      shared.set(k, entry);
    }
  }
  const out: TemplateFinding[] = [];
  for (const { statement, users } of shared.values()) {
    if (statement.syntax === 'python' && !statement.implied && statement.actions.length === 0) continue;
    if (users.some((u) => !u.file || u.unresolved.length > 0)) continue;
    const needs: Need[] = users.flatMap((u) => u.needs);
    const what = excess(statement, needs, model);
    if (what.length === 0) continue;
    // The replacement keeps what this statement granted that is needed; others keep theirs.
    const covered = needs.filter((n) => statement.resources.some((r) => r.anyTable || r.table === n.table) && statement.actions.some((a) => a === '*' || a === 'dynamodb:*' || a === n.action.toLowerCase() || (a.endsWith('*') && n.action.toLowerCase().startsWith(a.slice(0, -1)))));
    const computed = leastPrivilege(covered, model);
    const newText = replacementFor(statement, computed);
    const { loc } = statement;
    const range = { start: { line: loc.line, character: loc.column }, end: { line: loc.endLine, character: loc.endColumn } };
    const fns = users.map((u) => u.fn.id).join('`, `');
    const byTable = new Map<string, Set<string>>();
    for (const n of covered) byTable.set(n.table, (byTable.get(n.table) ?? new Set()).add(n.index ? `${n.action} (index ${n.index})` : n.action));
    const label = (id: string) => model.tables.find((t) => t.id === id)?.name ?? id;
    const needed = byTable.size ? [...byTable].map(([t, a]) => `${[...a].sort().join(', ')} on \`${label(t)}\``).join('; ') : 'nothing on DynamoDB';
    out.push({
      file: loc.file,
      finding: {
        rule: 'DG601',
        name: 'over-privileged-policy',
        severity: 'warning',
        message: message({ what: what.join(', '), fns, needed, kind: statement.implied ? `\`${statement.implied}\`` : 'This policy statement' }),
        range,
        related: [],
        fixes: newText ? [{ title: 'Replace the statement with the least-privilege one computed from the code', edits: [{ range, newText }], isPreferred: true, safe: false }] : [],
      },
    });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.finding.range.start.line - b.finding.range.start.line);
}
