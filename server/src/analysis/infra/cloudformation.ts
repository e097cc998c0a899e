// AWS SAM / CloudFormation templates (YAML with short-form intrinsics, or JSON): tables, functions,
// their environment, policies, API events and authorizers (plain API Gateway routes: cfnRoutes.ts).

import * as path from 'path';
import { readCfnRoutes } from './cfnRoutes';
import { MANAGED_POLICIES, SAM_POLICY_TEMPLATES } from './knowledge';
import { LIMITS, LineIndex, splitHandler, type EnvBinding, type InfraFunction, type InfraModel, type InfraRoute, type InfraTable, type IndexInfo, type KeySchema, type PolicyStatement } from './model';
import { classifyResource } from './resources';
import { cfnText, entries, get, intrinsic, list, parseYaml, path as at, str, type Val } from './yamlTree';

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::Serverless::SimpleTable']);

/** Does this text look like a CloudFormation template (so other YAML/JSON files are left alone)? */
export function looksLikeCloudFormation(text: string): boolean {
  return /AWSTemplateFormatVersion|AWS::Serverless|"?Type"?\s*:\s*"?AWS::/.test(text.slice(0, 200_000));
}

export function readCloudFormation(file: string, text: string, model: InfraModel): void {
  const parsed = parseYaml(text);
  if (!parsed.root) {
    model.errors.push({ file, message: parsed.errors[0] ?? 'not a CloudFormation template' });
    return;
  }
  if (parsed.errors.length) model.errors.push({ file, message: parsed.errors[0]! });
  const lines = new LineIndex(text);
  const loc = (v: { start: number; end: number }) => lines.loc(file, v.start, v.end);
  const syntax = /^\s*\{/.test(text) ? 'json' : 'yaml';
  const resources = entries(get(parsed.root, 'Resources')).slice(0, LIMITS.maxResources);
  const params = new Map(entries(get(parsed.root, 'Parameters')).map((e) => [e.key, str(get(e.value, 'Default'))]));
  const withParams = (t: string | undefined) => t?.replace(/\$\{([\w]+)\}/g, (m, p: string) => params.get(p) ?? m);

  const tables = readTables(resources, loc, (v) => withParams(cfnText(v)));
  model.tables.push(...tables);
  const tableOf = (v: Val | undefined): EnvBinding => {
    const text = cfnText(v);
    if (text === undefined) return {};
    const ref = classifyResource(text, tables);
    const value = withParams(text);
    // `!Ref TableNameParameter` names the table whose TableName is the same parameter.
    const table = ref.table && !ref.index ? ref.table : tables.find((t) => t.name !== undefined && t.name === value)?.id;
    return { ...(table ? { table } : {}), ...(value !== undefined ? { value } : {}) };
  };

  // Authorizers: SAM Api/HttpApi resources and the implicit API's Globals.
  const globals = get(parsed.root, 'Globals');
  const apiDefaults = new Map<string, string | undefined>();
  for (const r of resources) {
    const type = str(get(r.value, 'Type'));
    if (type === 'AWS::Serverless::Api' || type === 'AWS::Serverless::HttpApi') apiDefaults.set(r.key, str(at(r.value, 'Properties', 'Auth', 'DefaultAuthorizer')));
  }
  const implicitDefault = str(at(globals, 'Api', 'Auth', 'DefaultAuthorizer')) ?? str(at(globals, 'HttpApi', 'Auth', 'DefaultAuthorizer'));

  // Policies attached to roles (AWS::IAM::Role inline policies and AWS::IAM::Policy resources).
  const rolePolicies = new Map<string, { statements: PolicyStatement[]; known: boolean }>();
  const roleEntry = (id: string) => rolePolicies.get(id) ?? rolePolicies.set(id, { statements: [], known: true }).get(id)!;
  for (const r of resources) {
    const type = str(get(r.value, 'Type'));
    const props = get(r.value, 'Properties');
    if (type === 'AWS::IAM::Role') {
      const role = roleEntry(r.key);
      for (const p of list(get(props, 'Policies'))) role.statements.push(...statements(get(p, 'PolicyDocument'), tables, loc, syntax));
      for (const m of list(get(props, 'ManagedPolicyArns'))) role.known &&= managed(cfnText(m), role.statements, loc(m), syntax);
    } else if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
      const sts = statements(get(props, 'PolicyDocument'), tables, loc, syntax);
      for (const role of list(get(props, 'Roles'))) {
        const id = str(intrinsic(role)?.arg);
        if (id) roleEntry(id).statements.push(...sts);
      }
    }
  }

  const fnGlobals = get(globals, 'Function');
  const functionIds = new Set(resources.filter((r) => /^AWS::(Serverless|Lambda)::Function$/.test(str(get(r.value, 'Type')) ?? '')).map((r) => r.key));
  const apiRoutes = readCfnRoutes(resources, functionIds, loc);
  for (const r of resources) {
    const type = str(get(r.value, 'Type'));
    if (type !== 'AWS::Serverless::Function' && type !== 'AWS::Lambda::Function') continue;
    const props = get(r.value, 'Properties');
    const runtime = str(get(props, 'Runtime')) ?? str(get(fnGlobals, 'Runtime'));
    if (runtime && !runtime.startsWith('python')) continue;
    const handler = str(get(props, 'Handler')) ?? str(get(fnGlobals, 'Handler'));
    const codeUri = str(get(props, 'CodeUri')) ?? str(get(fnGlobals, 'CodeUri'));
    const env: Record<string, EnvBinding> = {};
    for (const source of [at(fnGlobals, 'Environment', 'Variables'), at(props, 'Environment', 'Variables')]) {
      for (const e of entries(source)) env[e.key] = tableOf(e.value);
    }
    const policies: PolicyStatement[] = [];
    let known = true;
    if (type === 'AWS::Serverless::Function') {
      for (const p of list(get(props, 'Policies'))) known = samPolicy(p, tables, policies, loc, syntax) && known;
    }
    const roleId = intrinsic(get(props, 'Role'));
    if (roleId) {
      const id = roleId.fn === 'GetAtt' ? (cfnText(get(props, 'Role')) ?? '').replace(/^\$\{([^.}]+).*$/, '$1') : str(roleId.arg);
      const role = id ? rolePolicies.get(id) : undefined;
      if (role) {
        policies.push(...role.statements);
        known &&= role.known;
      } else known = false;
    } else if (get(props, 'Role')) known = false;
    const routes: InfraRoute[] = [...(apiRoutes.get(r.key) ?? [])];
    for (const ev of entries(get(props, 'Events'))) {
      const evType = str(get(ev.value, 'Type'));
      if (evType !== 'Api' && evType !== 'HttpApi') continue;
      const ep = get(ev.value, 'Properties');
      const apiId = str(intrinsic(get(ep, 'RestApiId') ?? get(ep, 'ApiId'))?.arg);
      const explicit = at(ep, 'Auth', 'Authorizer');
      const authorizer = explicit ? str(explicit) : apiId ? apiDefaults.get(apiId) : implicitDefault;
      routes.push({ method: (str(get(ep, 'Method')) ?? 'any').toUpperCase(), path: str(get(ep, 'Path')) ?? '/', ...(authorizer && authorizer !== 'NONE' ? { authorizer } : {}), loc: loc(ev.value) });
    }
    const split = handler ? splitHandler(handler) : undefined;
    model.functions.push({
      id: r.key,
      ...(handler ? { handler } : {}),
      ...(split ? { module: split.module, functionName: split.functionName } : {}),
      ...(codeUri ? { codeDir: path.resolve(path.dirname(file), codeUri) } : {}),
      env,
      policies,
      policiesKnown: known,
      routes,
      format: 'cloudformation',
      loc: loc(r.value),
    } satisfies InfraFunction);
  }
}

/** `AWS::DynamoDB::Table` resources (also `resources.Resources` of serverless.yml). */
export function readTables(resources: Array<{ key: string; value: Val }>, loc: LocOf, textOf: (v: Val | undefined) => string | undefined): InfraTable[] {
  const tables: InfraTable[] = [];
  for (const r of resources) {
    const type = str(get(r.value, 'Type'));
    if (!type || !TABLE_TYPES.has(type)) continue;
    const props = get(r.value, 'Properties');
    const simpleKey = str(at(props, 'PrimaryKey', 'Name'));
    const keys = simpleKey ? { partition: simpleKey } : keySchema(get(props, 'KeySchema'));
    const name = textOf(get(props, 'TableName'));
    const indexes: IndexInfo[] = [];
    for (const [prop, kind] of [['GlobalSecondaryIndexes', 'global'], ['LocalSecondaryIndexes', 'local']] as const) {
      for (const ix of list(get(props, prop))) {
        const ixName = str(get(ix, 'IndexName'));
        const ixKeys = keySchema(get(ix, 'KeySchema'));
        if (ixName && ixKeys) indexes.push({ name: ixName, kind, keys: ixKeys });
      }
    }
    tables.push({ id: r.key, ...(name ? { name } : {}), ...(keys ? { keys } : {}), indexes, arnRef: { 'Fn::GetAtt': [r.key, 'Arn'] }, format: 'cloudformation', loc: loc(r.value) });
  }
  return tables;
}

function keySchema(v: Val | undefined): KeySchema | undefined {
  let partition: string | undefined;
  let sort: string | undefined;
  for (const k of list(v)) {
    const name = str(get(k, 'AttributeName'));
    const type = str(get(k, 'KeyType'));
    if (name && type === 'HASH') partition = name;
    if (name && type === 'RANGE') sort = name;
  }
  return partition ? { partition, ...(sort ? { sort } : {}) } : undefined;
}

export type LocOf = (v: { start: number; end: number }) => ReturnType<LineIndex['loc']>;

/** Statements of a policy document (`{Version, Statement: [...]}`) or of a bare statement list. */
export function statements(doc: Val | undefined, tables: readonly InfraTable[], loc: LocOf, syntax: 'yaml' | 'json', textOf: (v: Val | undefined) => string | undefined = cfnText): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const sts = doc?.kind === 'seq' ? doc.items : list(get(doc, 'Statement'));
  for (const s of sts) {
    const effect = str(get(s, 'Effect')) === 'Deny' ? 'Deny' : 'Allow';
    const notAction = get(s, 'NotAction') !== undefined;
    const actions = notAction ? ['*'] : list(get(s, 'Action')).map((a) => (textOf(a) ?? '').toLowerCase()).filter((a) => a);
    const resources = list(get(s, 'Resource') ?? get(s, 'NotResource')).map((res) => classifyResource(textOf(res) ?? '?', tables));
    out.push({ effect, actions, resources, loc: loc(s), syntax });
  }
  return out;
}

export function managed(arn: string | undefined, out: PolicyStatement[], where: ReturnType<LineIndex['loc']>, syntax: 'yaml' | 'json'): boolean {
  const name = arn?.split('/').pop();
  if (!name) return false;
  const actions = MANAGED_POLICIES[name];
  if (actions) {
    out.push({ effect: 'Allow', actions: actions.map((a) => a.toLowerCase()), resources: [{ anyTable: true, text: '*' }], implied: name, loc: where, syntax });
    return true;
  }
  // Other AWS-managed policies (logging, X-Ray, VPC) grant nothing on DynamoDB.
  return /^AWS(Lambda|XRay|XrayWriteOnly|LambdaBasic)|^AWSLambda|Execution(Role)?$|^CloudWatch/.test(name);
}

/** One entry of a SAM function's `Policies`: a managed policy name, a policy template, or a document. */
function samPolicy(p: Val, tables: readonly InfraTable[], out: PolicyStatement[], loc: LocOf, syntax: 'yaml' | 'json'): boolean {
  const name = str(p);
  if (name !== undefined) return managed(name, out, loc(p), syntax);
  if (get(p, 'Statement')) {
    out.push(...statements(p, tables, loc, syntax));
    return true;
  }
  const only = p.kind === 'map' && p.entries.length === 1 ? p.entries[0]! : undefined;
  if (!only) return false;
  const template = SAM_POLICY_TEMPLATES[only.key];
  if (template) {
    const tableName = cfnText(get(only.value, 'TableName'));
    const ref = tableName ? classifyResource(tableName.startsWith('${') ? tableName : `arn:aws:dynamodb:*:*:table/${tableName}`, tables) : undefined;
    const resources = ref?.table ? [{ table: ref.table, text: tableName! }, { table: ref.table, index: '*', text: `${tableName}/index/*` }] : [{ anyTable: true, text: tableName ?? '*' }];
    out.push({ effect: 'Allow', actions: template.map((a) => a.toLowerCase()), resources, implied: only.key, loc: loc(p), syntax });
    return true;
  }
  // Other SAM templates (SQSPollerPolicy, S3ReadPolicy...) grant nothing on DynamoDB.
  return /Policy$/.test(only.key) && !/DynamoDB/.test(only.key);
}
