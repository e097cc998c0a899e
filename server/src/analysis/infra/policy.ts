// IAM on DynamoDB, as far as DynamoGuard needs it: does a set of statements allow an action on a
// table (or index), what does a statement grant beyond what the code needs, and the
// least-privilege policy for a set of needs, written with the template's own references.

import type { InfraModel, InfraTable, PolicyStatement, ResourceRef } from './model';
import { actionMatches } from './resources';

export interface Need {
  action: string;
  table: string;
  index?: string;
  /** Every key the call uses is the authenticated subject. */
  subjectBound: boolean;
}

function resourceCovers(r: ResourceRef, table: string, index: string | undefined): boolean | undefined {
  const indexOk = index === undefined ? r.index === undefined : r.index === '*' || r.index === index;
  if (r.anyTable) return index === undefined ? r.index === undefined || r.text === '*' : r.text === '*' || r.index !== undefined && indexOk;
  if (r.table !== undefined) return r.table === table && indexOk;
  return undefined;
}

/**
 * IAM's evaluation for one request: an explicit Deny wins, then any Allow. `unknown` when a
 * statement that could apply names a resource we cannot resolve (a wildcard pattern, an import).
 */
export function evaluate(statements: readonly PolicyStatement[], action: string, table: string, index?: string): 'allow' | 'deny' | 'unknown' {
  let allowed = false;
  let unknown = false;
  for (const deny of [true, false]) {
    for (const s of statements) {
      if ((s.effect === 'Deny') !== deny || !s.actions.some((a) => actionMatches(a, action))) continue;
      for (const r of s.resources) {
        const covers = resourceCovers(r, table, index);
        if (covers === undefined) unknown = true;
        else if (covers && deny) return 'deny';
        else if (covers) allowed = true;
      }
    }
  }
  return allowed ? 'allow' : unknown ? 'unknown' : 'deny';
}

const DYNAMO_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DescribeTable', 'PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'CreateTable', 'DeleteTable', 'UpdateTable', 'CreateBackup', 'RestoreTableFromBackup', 'ListTables', 'ExportTableToPointInTime', 'ImportTable'].map((a) => `dynamodb:${a}`);

/** What an Allow statement grants on DynamoDB that no need uses, in words; empty when nothing. */
export function excess(s: PolicyStatement, needs: readonly Need[], model: InfraModel): string[] {
  if (s.effect !== 'Allow') return [];
  const dynamo = s.actions.filter((a) => a === '*' || a.startsWith('dynamodb:'));
  if (dynamo.length === 0) return [];
  const out: string[] = [];
  const wild = dynamo.filter((a) => a.includes('*'));
  if (wild.length) out.push(`\`${wild.join('`, `')}\``);
  if (s.resources.some((r) => r.anyTable && r.text === '*')) out.push('`Resource: "*"`');
  else if (s.resources.some((r) => r.anyTable)) out.push('every table of the account');
  const coveredTables = new Set(s.resources.map((r) => r.table).filter((t): t is string => !!t));
  for (const t of coveredTables) {
    if (!needs.some((n) => n.table === t)) out.push(`table \`${tableLabel(model, t)}\`, never called`);
  }
  if (!wild.length) {
    const unused = DYNAMO_ACTIONS.filter((a) => dynamo.some((p) => actionMatches(p, a)))
      .filter((a) => !needs.some((n) => n.action === a && s.resources.some((r) => resourceCovers(r, n.table, n.index))))
      .filter((a) => a !== 'dynamodb:DescribeTable' || !s.implied);
    if (unused.length) out.push(`\`${unused.join('`, `')}\``);
  }
  return out;
}

function tableLabel(model: InfraModel, id: string): string {
  const t = model.tables.find((x) => x.id === id);
  return t?.name ?? id;
}

export interface ComputedStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
}

/** The ARN of a table (or one of its indexes) the template's own way. */
export function arnOf(table: InfraTable, index?: string): unknown {
  const suffix = index ? `/index/${index}` : '';
  if (typeof table.arnRef === 'string') {
    if (table.format === 'cdk') return index ? `f"{${table.arnRef}}${suffix}"` : table.arnRef;
    return `${table.arnRef}${suffix}`;
  }
  return index ? { 'Fn::Sub': `\${${table.id}.Arn}${suffix}` } : table.arnRef;
}

/** One statement per table and key binding: actions sorted, base table and index ARNs together. */
export function leastPrivilege(needs: readonly Need[], model: InfraModel, leadingKeysVariable = '${aws:PrincipalTag/sub}'): ComputedStatement[] {
  const byTable = new Map<string, Need[]>();
  for (const n of needs) byTable.set(n.table, [...(byTable.get(n.table) ?? []), n]);
  const out: ComputedStatement[] = [];
  for (const [id, list] of [...byTable].sort((a, b) => a[0].localeCompare(b[0]))) {
    const table = model.tables.find((t) => t.id === id);
    if (!table) continue;
    const bound = list.every((n) => n.subjectBound);
    const condition = bound ? { Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [leadingKeysVariable] } } } : {};
    // Base-table actions and index queries in separate statements: GetItem is not granted on an index.
    const base = [...new Set(list.filter((n) => n.index === undefined).map((n) => n.action))].sort();
    if (base.length) out.push({ Effect: 'Allow', Action: base, Resource: [arnOf(table)], ...condition });
    const onIndex = list.filter((n) => n.index !== undefined);
    const indexActions = [...new Set(onIndex.map((n) => n.action))].sort();
    const indexes = [...new Set(onIndex.map((n) => n.index!))].sort();
    if (indexActions.length) out.push({ Effect: 'Allow', Action: indexActions, Resource: indexes.map((ix) => arnOf(table, ix)), ...condition });
  }
  return out;
}
