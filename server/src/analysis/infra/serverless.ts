// serverless.yml (Serverless Framework v3/v4): provider and per-function environment, IAM
// statements (`provider.iam.role.statements`, the older `provider.iamRoleStatements`, and the
// per-function `iamRoleStatements` of serverless-iam-roles-per-function), http/httpApi events and
// their authorizers, and the CloudFormation tables under `resources.Resources`. Variables
// (`${self:...}`, `${opt:x, default}`, `${sls:stage}`, `${env:X, default}`, `${file(x.yml):key}`) are
// resolved as far as they resolve statically; `${ssm:}`/`${cf:}`/`${s3:}` stay opaque references
// (slsVariables.ts); what stays unresolved is kept as written.

import * as path from 'path';
import { managed, readTables, statements } from './cloudformation';
import { LineIndex, splitHandler, type EnvBinding, type InfraModel, type InfraRoute, type PolicyStatement } from './model';
import { classifyResource } from './resources';
import { canonicalOpaque, FILE_VARIABLE, ReferencedFiles } from './slsVariables';
import { cfnText, entries, get, list, parseYaml, path as at, str, type Val } from './yamlTree';

const VARIABLE = /\$\{(self|opt|sls|env|aws|param|file|cf|ssm|s3)?:?([^${},]*?)(?:,\s*([^${}]*))?\}/g;

export function looksLikeServerless(file: string, text: string): boolean {
  return /^serverless\.ya?ml$/.test(path.basename(file)) && /^\s*functions\s*:/m.test(text);
}

export function readServerless(file: string, text: string, model: InfraModel): void {
  const parsed = parseYaml(text);
  const root = parsed.root;
  if (!root) {
    model.errors.push({ file, message: parsed.errors[0] ?? 'empty serverless.yml' });
    return;
  }
  if (parsed.errors.length) model.errors.push({ file, message: parsed.errors[0]! });
  const lines = new LineIndex(text);
  const loc = (v: { start: number; end: number }) => lines.loc(file, v.start, v.end);

  const files = new ReferencedFiles(path.dirname(file));
  const resolve = (s: string): string => {
    let out = s;
    // Bounded: variables may nest (`${self:custom.${opt:stage}}`), each round resolves the innermost.
    for (let round = 0; round < 6 && out.includes('${'); round++) {
      const next = canonicalOpaque(out.replace(FILE_VARIABLE, (whole, rel: string, keyPath: string | undefined, fallback: string | undefined) => {
        const v = files.value(rel, keyPath);
        return (v ? cfnText(v) : undefined) ?? fallback?.trim().replace(/^['"]|['"]$/g, '') ?? whole;
      })).replace(VARIABLE, (whole, source: string | undefined, name: string, fallback: string | undefined) => {
        const dflt = fallback?.trim().replace(/^['"]|['"]$/g, '');
        if (source === 'self') {
          const v = files.at(root, name.trim().split('.'));
          const t = v ? cfnText(v) : undefined;
          return t ?? dflt ?? whole;
        }
        if (source === 'sls' && name === 'stage') return str(at(root, 'provider', 'stage')) ?? 'dev';
        if (source === 'opt' && name.trim() === 'stage') return dflt ?? str(at(root, 'provider', 'stage')) ?? 'dev';
        if (source === 'opt' && name.trim() === 'region') return dflt ?? str(at(root, 'provider', 'region')) ?? 'us-east-1';
        if (source === 'opt' || source === 'env' || source === 'param') return dflt ?? whole;
        return whole;
      });
      if (next === out) break;
      out = next;
    }
    return out;
  };
  files.expand = resolve;
  const textOf = (v: Val | undefined) => {
    const t = cfnText(v);
    return t === undefined ? undefined : resolve(t);
  };

  const tables = readTables(entries(at(root, 'resources', 'Resources')), loc, textOf);
  for (const t of tables) t.format = 'serverless';
  model.tables.push(...tables);

  const provider = get(root, 'provider');
  const runtime = str(get(provider, 'runtime'));
  const providerStatements = [...statements(at(provider, 'iam', 'role', 'statements'), tables, loc, 'yaml', textOf), ...statements(get(provider, 'iamRoleStatements'), tables, loc, 'yaml', textOf)];
  const managedStatements: PolicyStatement[] = [];
  let providerKnown = typeof str(at(provider, 'iam', 'role')) !== 'string';
  for (const m of list(at(provider, 'iam', 'role', 'managedPolicies'))) providerKnown = managed(textOf(m), managedStatements, loc(m), 'yaml') && providerKnown;
  const authorizers = new Set(entries(at(provider, 'httpApi', 'authorizers')).map((e) => e.key));
  const envOf = (v: Val | undefined, into: Record<string, EnvBinding>) => {
    // `environment: ${file(env.yml)}` and `KEY: ${file(env.yml):key}` read the referenced file.
    for (const e of entries(files.deref(v))) {
      const value = textOf(files.deref(e.value));
      // An opaque name (`${ssm:/shop/orders-table}`) binds the table whose TableName is the same reference.
      const same = value !== undefined ? tables.find((t) => t.name === value) : undefined;
      const ref = value ? classifyResource(value.startsWith('${') || value.startsWith('arn:') ? value : `arn:aws:dynamodb:*:*:table/${value}`, tables) : undefined;
      const table = same?.id ?? (ref?.table && !ref.index ? ref.table : undefined);
      into[e.key] = { ...(table ? { table } : {}), ...(value !== undefined ? { value } : {}) };
    }
  };

  for (const f of entries(get(root, 'functions'))) {
    const handler = textOf(get(f.value, 'handler'));
    const fnRuntime = str(get(f.value, 'runtime')) ?? runtime;
    if (fnRuntime && !fnRuntime.startsWith('python')) continue;
    const env: Record<string, EnvBinding> = {};
    envOf(get(provider, 'environment'), env);
    envOf(get(f.value, 'environment'), env);
    const own = statements(get(f.value, 'iamRoleStatements'), tables, loc, 'yaml', textOf);
    // serverless-iam-roles-per-function: a function's own statements replace the provider's unless inherited.
    const inherit = str(get(f.value, 'iamRoleStatementsInherit')) === 'true';
    const policies = get(f.value, 'iamRoleStatements') && !inherit ? own : [...providerStatements, ...managedStatements, ...own];
    const routes: InfraRoute[] = [];
    for (const ev of list(get(f.value, 'events'))) {
      for (const kind of ['http', 'httpApi'] as const) {
        const e = get(ev, kind);
        if (!e) continue;
        const shorthand = str(e)?.split(/\s+/);
        const method = (shorthand ? shorthand[0] : str(get(e, 'method'))) ?? 'ANY';
        const p = (shorthand ? shorthand[1] : str(get(e, 'path'))) ?? '/';
        const auth = get(e, 'authorizer');
        let authorizer = str(auth) ?? str(get(auth, 'name')) ?? str(get(auth, 'type')) ?? (get(auth, 'arn') ? 'custom' : undefined);
        if (!authorizer && str(get(e, 'private')) === 'true') authorizer = 'api-key';
        if (authorizer && kind === 'httpApi' && !authorizers.has(authorizer) && authorizer !== 'aws_iam') authorizer = `${authorizer} (not declared in provider.httpApi.authorizers)`;
        routes.push({ method: method.toUpperCase(), path: p.startsWith('/') ? p : `/${p}`, ...(authorizer ? { authorizer } : {}), loc: loc(e) });
      }
    }
    const split = handler ? splitHandler(handler) : undefined;
    model.functions.push({
      id: f.key,
      ...(handler ? { handler } : {}),
      ...(split ? { module: split.module, functionName: split.functionName } : {}),
      codeDir: path.dirname(file),
      env,
      policies,
      policiesKnown: providerKnown,
      routes,
      format: 'serverless',
      loc: loc(f.value),
    });
  }
}
