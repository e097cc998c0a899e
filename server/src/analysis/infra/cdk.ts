// CDK apps in Python (aws-cdk-lib), read with the analyzer's own tree-sitter Python grammar, never run:
// `dynamodb.Table(...)`/`TableV2(...)` with `add_global_secondary_index`/`add_local_secondary_index`,
// `lambda_.Function(...)` with `handler=`, `code=Code.from_asset(...)`, `environment={...}`,
// `table.grant_*(fn)`, `fn.add_to_role_policy(iam.PolicyStatement(...))`, and HTTP API routes
// (`add_routes(..., integration=HttpLambdaIntegration(..., fn), authorizer=...)`) or REST
// `add_method("GET", LambdaIntegration(fn), authorizer=...)`.

import * as fs from 'fs';
import * as path from 'path';
import type { Node as TSNode } from 'web-tree-sitter';
import { CDK_GRANTS } from './knowledge';
import { infraParser } from './languages';
import { LineIndex, splitHandler, type EnvBinding, type InfraFunction, type InfraModel, type InfraTable, type KeySchema } from './model';

/** `cdk` runs from the folder of cdk.json: asset paths are relative to it. */
function appDir(file: string): string {
  let dir = path.dirname(file);
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, 'cdk.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.dirname(file);
}

export function looksLikeCdk(text: string): boolean {
  return /\baws_cdk\b/.test(text) && /\b(dynamodb|lambda_?|_lambda|aws_lambda)\b/.test(text);
}

const unquote = (s: string | undefined) => (s && /^[rbuf]*["']/.test(s) ? s.replace(/^[rbuf]*("""|'''|"|')|("""|'''|"|')$/g, '') : undefined);

function kwargs(call: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a?.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) out.set(name, value);
    }
  }
  return out;
}

function positional(call: TSNode): TSNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is TSNode => !!a && a.type !== 'keyword_argument' && a.type !== 'comment');
}

/** `dynamodb.Attribute(name="pk", ...)` -> "pk". */
function attributeName(v: TSNode | undefined): string | undefined {
  if (v?.type !== 'call') return undefined;
  return unquote(kwargs(v).get('name')?.text) ?? unquote(positional(v)[0]?.text);
}

function calleeTail(call: TSNode): string {
  return call.childForFieldName('function')?.text.split('.').pop() ?? '';
}

export function readCdk(file: string, text: string, model: InfraModel): void {
  const parser = infraParser('python');
  if (!parser) {
    model.errors.push({ file, message: 'the Python grammar is not loaded' });
    return;
  }
  const tree = parser.parse(text);
  parser.delete();
  if (!tree) return;
  try {
    readTree(file, tree.rootNode, new LineIndex(text), model);
  } finally {
    tree.delete();
  }
}

function readTree(file: string, root: TSNode, lines: LineIndex, model: InfraModel): void {
  const loc = (n: TSNode) => lines.loc(file, n.startIndex, n.endIndex);
  const calls = root.descendantsOfType('call').filter((c): c is TSNode => !!c).slice(0, 5000);
  /** The variable a call is assigned to (`table = ...`, `self.table = ...`). */
  const target = (call: TSNode) => (call.parent?.type === 'assignment' ? call.parent.childForFieldName('left')?.text : undefined);
  const tables = new Map<string, InfraTable>();
  const fns = new Map<string, InfraFunction>();

  for (const call of calls) {
    const tail = calleeTail(call);
    const kw = kwargs(call);
    const v = target(call);
    if ((tail === 'Table' || tail === 'TableV2') && v && kw.has('partition_key')) {
      const partition = attributeName(kw.get('partition_key'));
      const sort = attributeName(kw.get('sort_key'));
      const keys: KeySchema | undefined = partition ? { partition, ...(sort ? { sort } : {}) } : undefined;
      const name = unquote(kw.get('table_name')?.text);
      const logical = unquote(positional(call)[1]?.text) ?? v;
      tables.set(v, { id: logical, ...(name ? { name } : {}), ...(keys ? { keys } : {}), indexes: [], arnRef: `${v}.table_arn`, format: 'cdk', loc: loc(call) });
    } else if (tail === 'Function' && v && kw.has('handler')) {
      const handler = unquote(kw.get('handler')?.text);
      const runtime = kw.get('runtime')?.text ?? '';
      if (runtime && !/PYTHON/i.test(runtime)) continue;
      const asset = kw.get('code');
      const dir = asset?.type === 'call' && /from_asset$/.test(asset.childForFieldName('function')?.text ?? '') ? unquote(positional(asset)[0]?.text) : undefined;
      const split = handler ? splitHandler(handler) : undefined;
      fns.set(v, {
        id: unquote(positional(call)[1]?.text) ?? v,
        ...(handler ? { handler } : {}),
        ...(split ? { module: split.module, functionName: split.functionName } : {}),
        ...(dir ? { codeDir: path.resolve(appDir(file), dir) } : {}),
        env: {},
        policies: [],
        policiesKnown: true,
        routes: [],
        format: 'cdk',
        loc: loc(call),
      });
      // Environment after every table is known: resolved in the second loop.
    }
  }

  for (const call of calls) {
    const fnNode = call.childForFieldName('function');
    const recv = fnNode?.type === 'attribute' ? fnNode.childForFieldName('object')?.text : undefined;
    const tail = calleeTail(call);
    const kw = kwargs(call);
    const table = recv ? tables.get(recv) : undefined;
    if (table && (tail === 'add_global_secondary_index' || tail === 'add_local_secondary_index')) {
      const name = unquote(kw.get('index_name')?.text);
      const partition = tail === 'add_local_secondary_index' ? table.keys?.partition : attributeName(kw.get('partition_key'));
      const sort = attributeName(kw.get('sort_key'));
      if (name && partition) table.indexes.push({ name, kind: tail === 'add_global_secondary_index' ? 'global' : 'local', keys: { partition, ...(sort ? { sort } : {}) } });
    } else if (table && CDK_GRANTS[tail]) {
      const fn = fns.get(positional(call)[0]?.text ?? '');
      if (fn) fn.policies.push({ effect: 'Allow', actions: CDK_GRANTS[tail]!.map((a) => a.toLowerCase()), resources: [{ table: table.id, text: `${recv}.table_arn` }, { table: table.id, index: '*', text: `${recv}.table_arn/index/*` }], implied: tail, loc: loc(call), syntax: 'python' });
    } else if (tail === 'add_to_role_policy' && recv && fns.has(recv)) {
      const st = positional(call)[0];
      if (st?.type !== 'call') continue;
      const skw = kwargs(st);
      const listOf = (n: TSNode | undefined) => (n?.type === 'list' ? n.namedChildren.filter((x): x is TSNode => !!x) : []);
      const actions = listOf(skw.get('actions')).map((a) => (unquote(a.text) ?? '').toLowerCase());
      const resources = listOf(skw.get('resources')).map((r) => {
        const lit = unquote(r.text);
        if (lit !== undefined) return lit === '*' || /table\/\*$/.test(lit) ? { anyTable: true, text: lit } : { text: lit };
        const owner = [...tables.entries()].find(([k]) => r.text.startsWith(`${k}.table_arn`));
        return owner ? { table: owner[1].id, ...(/index/.test(r.text) ? { index: '*' } : {}), text: r.text } : { text: r.text };
      });
      fns.get(recv)!.policies.push({ effect: /DENY/.test(skw.get('effect')?.text ?? '') ? 'Deny' : 'Allow', actions, resources, loc: loc(st), syntax: 'python' });
    } else if (tail === 'add_routes' || tail === 'add_method') {
      const integration = kw.get('integration') ?? positional(call)[1];
      const fnVar = integration?.type === 'call' ? positional(integration).map((a) => a.text).find((t) => fns.has(t)) : undefined;
      if (!fnVar) continue;
      const authorizer = kw.get('authorizer')?.text ?? (kw.get('authorization_type') && !/NONE/.test(kw.get('authorization_type')!.text) ? kw.get('authorization_type')!.text : undefined);
      const p = unquote(kw.get('path')?.text) ?? (recv ? `/${recv.replace(/^self\./, '')}` : '/');
      const method = tail === 'add_method' ? unquote(positional(call)[0]?.text) ?? 'ANY' : (kw.get('methods')?.text.match(/HttpMethod\.(\w+)/)?.[1] ?? 'ANY');
      fns.get(fnVar)!.routes.push({ method, path: p, ...(authorizer ? { authorizer } : {}), loc: loc(call) });
    }
  }

  // Environment: `environment={"ORDERS_TABLE": table.table_name}`.
  for (const call of calls) {
    const v = target(call);
    const fn = v ? fns.get(v) : undefined;
    const envNode = fn ? kwargs(call).get('environment') : undefined;
    if (!fn || envNode?.type !== 'dictionary') continue;
    for (const pair of envNode.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = unquote(pair.childForFieldName('key')?.text);
      const value = pair.childForFieldName('value');
      if (!key || !value) continue;
      const owner = [...tables.entries()].find(([k]) => value.text === `${k}.table_name` || value.text === `${k}.table_arn`);
      const lit = unquote(value.text);
      const byName = lit ? [...tables.values()].find((t) => t.name === lit) : undefined;
      const binding: EnvBinding = { ...(owner ? { table: owner[1].id } : byName ? { table: byName.id } : {}), ...(lit !== undefined ? { value: lit } : {}) };
      fn.env[key] = binding;
    }
  }
  model.tables.push(...tables.values());
  model.functions.push(...fns.values());
}
