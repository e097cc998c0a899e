// Terraform (HCL, parsed by tree-sitter-terraform): aws_dynamodb_table, aws_lambda_function and
// its role's policies (aws_iam_role_policy, aws_iam_policy + attachments, aws_iam_policy_document
// data sources, jsonencode), API Gateway v2 routes and REST methods with their authorizers.
// Expressions are not evaluated: references stay `${aws_x.y.attr}` text, `var.`/`local.` take their
// literal default, and everything else is kept as written.

import * as path from 'path';
import type { Node as TSNode } from 'web-tree-sitter';
import { statements } from './cloudformation';
import { infraParser } from './languages';
import { LIMITS, LineIndex, splitHandler, type EnvBinding, type IndexInfo, type InfraModel, type InfraRoute, type InfraTable, type KeySchema, type PolicyStatement } from './model';
import { managed } from './cloudformation';
import { classifyResource } from './resources';
import { entries, get, list, str, type Val } from './yamlTree';

interface Block {
  type: string;
  labels: string[];
  body: Val & { kind: 'map' };
  node: TSNode;
}

/** HCL expression or body to the positioned tree the CloudFormation helpers read. */
function convert(node: TSNode | null, text: string, depth: number): Val {
  const at = { start: node?.startIndex ?? 0, end: node?.endIndex ?? 0 };
  if (!node || depth > LIMITS.maxDepth) return { kind: 'scalar', value: null, ...at };
  switch (node.type) {
    case 'expression':
    case 'literal_value':
    case 'collection_value':
      return node.namedChildCount === 1 ? { ...convert(node.namedChild(0), text, depth + 1), ...at } : { kind: 'scalar', value: `\${${node.text}}`, ...at };
    case 'string_lit':
    case 'template_expr':
    case 'quoted_template': {
      const inner = node.text.replace(/^"|"$/g, '');
      return { kind: 'scalar', value: inner, ...at };
    }
    case 'numeric_lit':
      return { kind: 'scalar', value: Number(node.text), ...at };
    case 'bool_lit':
      return { kind: 'scalar', value: node.text === 'true', ...at };
    case 'null_lit':
      return { kind: 'scalar', value: null, ...at };
    case 'tuple':
      return { kind: 'seq', items: node.namedChildren.filter((c) => c?.type === 'expression').map((c) => convert(c, text, depth + 1)), ...at };
    case 'object': {
      const out: Array<{ key: string; keyStart: number; value: Val }> = [];
      for (const el of node.namedChildren) {
        if (el?.type !== 'object_elem') continue;
        const [k, v] = el.namedChildren.filter((c) => c?.type === 'expression');
        if (!k || !v) continue;
        const key = k.text.replace(/^"|"$/g, '');
        out.push({ key, keyStart: k.startIndex, value: convert(v, text, depth + 1) });
      }
      return { kind: 'map', entries: out, ...at };
    }
    case 'function_call': {
      const name = node.namedChild(0)?.text;
      const args = node.namedChildren.find((c) => c?.type === 'function_arguments');
      if (name === 'jsonencode' && args) return { ...convert(args.namedChildren.find((c) => c?.type === 'expression') ?? null, text, depth + 1), tag: 'jsonencode' };
      return { kind: 'scalar', value: `\${${node.text}}`, ...at };
    }
    case 'body':
      return bodyMap(node, text, depth);
    default:
      // References (`aws_dynamodb_table.orders.arn`) and anything we do not evaluate.
      return { kind: 'scalar', value: `\${${node.text.replace(/\s+/g, ' ')}}`, ...at };
  }
}

/** A block body: attributes as entries, nested blocks as a list under their type. */
function bodyMap(body: TSNode | null, text: string, depth: number): Val & { kind: 'map' } {
  const out: Array<{ key: string; keyStart: number; value: Val }> = [];
  for (const c of body?.namedChildren ?? []) {
    if (!c) continue;
    if (c.type === 'attribute') {
      const id = c.namedChild(0);
      out.push({ key: id?.text ?? '', keyStart: c.startIndex, value: convert(c.namedChildren.find((x) => x?.type === 'expression') ?? null, text, depth + 1) });
    } else if (c.type === 'block') {
      const type = c.namedChild(0)?.text ?? '';
      const inner = bodyMap(c.namedChildren.find((x) => x?.type === 'body') ?? null, text, depth + 1);
      const value: Val = { ...inner, start: c.startIndex, end: c.endIndex };
      const existing = out.find((e) => e.key === type);
      if (existing && existing.value.kind === 'seq') existing.value.items.push(value);
      else out.push({ key: type, keyStart: c.startIndex, value: { kind: 'seq', items: [value], start: c.startIndex, end: c.endIndex } });
    }
  }
  return { kind: 'map', entries: out, start: body?.startIndex ?? 0, end: body?.endIndex ?? 0 };
}

function topBlocks(root: TSNode, text: string): Block[] {
  const body = root.namedChildren.find((c) => c?.type === 'body');
  const out: Block[] = [];
  for (const c of body?.namedChildren ?? []) {
    if (c?.type !== 'block' || out.length >= LIMITS.maxResources) continue;
    const type = c.namedChild(0)?.text ?? '';
    const labels = c.namedChildren.filter((x) => x?.type === 'string_lit').map((x) => x!.text.replace(/^"|"$/g, ''));
    out.push({ type, labels, body: bodyMap(c.namedChildren.find((x) => x?.type === 'body') ?? null, text, 1), node: c });
  }
  return out;
}

/** All `.tf` files of one directory form one module: read them together. */
export function readTerraform(files: Array<{ file: string; text: string }>, model: InfraModel): void {
  const parser = infraParser('terraform');
  if (!parser) {
    for (const f of files) model.errors.push({ file: f.file, message: 'the Terraform grammar could not be loaded' });
    return;
  }
  const blocks: Array<Block & { file: string; lines: LineIndex }> = [];
  try {
    for (const f of files) {
      const tree = parser.parse(f.text);
      if (!tree) continue;
      if (tree.rootNode.hasError) model.errors.push({ file: f.file, message: 'syntax error (the rest of the file is read as far as it parses)' });
      const lines = new LineIndex(f.text);
      for (const b of topBlocks(tree.rootNode, f.text)) blocks.push({ ...b, file: f.file, lines });
      tree.delete();
    }
  } finally {
    parser.delete();
  }
  const dir = path.dirname(files[0]!.file);
  const vars = new Map<string, string>();
  for (const b of blocks) {
    if (b.type === 'variable' && b.labels[0]) {
      const d = str(get(b.body, 'default'));
      if (d !== undefined) vars.set(`var.${b.labels[0]}`, d);
    } else if (b.type === 'locals') {
      for (const e of b.body.entries) if (str(e.value) !== undefined) vars.set(`local.${e.key}`, str(e.value)!);
    }
  }
  const textOf = (v: Val | undefined): string | undefined => {
    const s = str(v) ?? (v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined);
    if (s === undefined) return undefined;
    let out = s;
    // Locals may use variables: a few rounds, bounded.
    for (let i = 0; i < 4 && /\$\{\s*(var|local)\./.test(out); i++) out = out.replace(/\$\{\s*((?:var|local)\.\w+)\s*\}/g, (m, name: string) => vars.get(name) ?? m);
    return out.replace(/\$\{\s*path\.module\s*\}/g, '.');
  };
  const resource = (type: string) => blocks.filter((b) => b.type === 'resource' && b.labels[0] === type);
  const data = (type: string) => blocks.filter((b) => b.type === 'data' && b.labels[0] === type);
  const addr = (b: Block) => `${b.labels[0]}.${b.labels[1]}`;
  const locOf = (b: { file: string; lines: LineIndex }) => (v: { start: number; end: number }) => b.lines.loc(b.file, v.start, v.end);

  const tables: InfraTable[] = resource('aws_dynamodb_table').map((b) => {
    const keysOf = (v: Val | undefined): KeySchema | undefined => {
      const hash = textOf(get(v, 'hash_key'));
      const range = textOf(get(v, 'range_key'));
      return hash ? { partition: hash, ...(range ? { sort: range } : {}) } : undefined;
    };
    const indexes: IndexInfo[] = [];
    for (const [blockType, kind] of [['global_secondary_index', 'global'], ['local_secondary_index', 'local']] as const) {
      for (const ix of list(get(b.body, blockType))) {
        const name = textOf(get(ix, 'name'));
        // An LSI shares the table's partition key and names only its range key.
        const keys = kind === 'local' ? { partition: textOf(get(b.body, 'hash_key')) ?? '', sort: textOf(get(ix, 'range_key')) ?? '' } : keysOf(ix);
        if (name && keys?.partition) indexes.push({ name, kind, keys });
      }
    }
    const name = textOf(get(b.body, 'name'));
    const keys = keysOf(b.body);
    return { id: addr(b), ...(name ? { name } : {}), ...(keys ? { keys } : {}), indexes, arnRef: `\${${addr(b)}.arn}`, format: 'terraform' as const, loc: b.lines.loc(b.file, b.node.startIndex, b.node.endIndex) };
  });
  model.tables.push(...tables);

  const refTo = (v: Val | undefined, type: string) => new RegExp(`\\$\\{\\s*(${type}\\.[\\w-]+)`).exec(textOf(v) ?? '')?.[1];
  const policyStatements = (v: Val | undefined, owner: Block & { file: string; lines: LineIndex }): { statements: PolicyStatement[]; known: boolean } => {
    if (v?.tag === 'jsonencode') return { statements: statements(v, tables, locOf(owner), 'yaml', textOf).map((s) => ({ ...s, syntax: 'hcl-jsonencode' as const })), known: true };
    const docRef = refTo(v, 'data\\.aws_iam_policy_document');
    const doc = docRef ? data('aws_iam_policy_document').find((d) => `data.${addr(d)}` === docRef) : undefined;
    if (!doc) return { statements: [], known: false };
    const out: PolicyStatement[] = [];
    for (const s of list(get(doc.body, 'statement'))) {
      const effect = textOf(get(s, 'effect')) === 'Deny' ? 'Deny' : 'Allow';
      const actions = get(s, 'not_actions') ? ['*'] : list(get(s, 'actions')).map((a) => (textOf(a) ?? '').toLowerCase()).filter((a) => a);
      const resources = list(get(s, 'resources') ?? get(s, 'not_resources')).map((r) => classifyResource(textOf(r) ?? '?', tables));
      out.push({ effect, actions, resources, loc: doc.lines.loc(doc.file, s.start, s.end), syntax: 'hcl' });
    }
    return { statements: out, known: true };
  };

  // Role address -> statements from inline role policies and attached policies.
  const roles = new Map<string, { statements: PolicyStatement[]; known: boolean }>();
  const role = (id: string) => roles.get(id) ?? roles.set(id, { statements: [], known: true }).get(id)!;
  for (const b of resource('aws_iam_role_policy')) {
    const r = refTo(get(b.body, 'role'), 'aws_iam_role');
    if (!r) continue;
    const p = policyStatements(get(b.body, 'policy'), b);
    role(r).statements.push(...p.statements);
    role(r).known &&= p.known;
  }
  for (const b of resource('aws_iam_role_policy_attachment')) {
    const r = refTo(get(b.body, 'role'), 'aws_iam_role');
    if (!r) continue;
    const arn = get(b.body, 'policy_arn');
    const own = refTo(arn, 'aws_iam_policy');
    const policy = own ? resource('aws_iam_policy').find((p) => addr(p) === own) : undefined;
    if (policy) {
      const p = policyStatements(get(policy.body, 'policy'), policy);
      role(r).statements.push(...p.statements);
      role(r).known &&= p.known;
    } else {
      role(r).known = managed(textOf(arn), role(r).statements, b.lines.loc(b.file, b.node.startIndex, b.node.endIndex), 'yaml') && role(r).known;
    }
  }

  // Routes: API Gateway v2 routes -> integrations -> functions; REST methods -> integrations.
  const routesOf = new Map<string, InfraRoute[]>();
  const addRoute = (fn: string | undefined, r: InfraRoute) => fn && routesOf.set(fn, [...(routesOf.get(fn) ?? []), r]);
  for (const b of resource('aws_apigatewayv2_route')) {
    const integration = refTo(get(b.body, 'target'), 'aws_apigatewayv2_integration');
    const integ = resource('aws_apigatewayv2_integration').find((i) => addr(i) === integration);
    const fn = integ ? refTo(get(integ.body, 'integration_uri'), 'aws_lambda_function') : undefined;
    const [method, p] = (textOf(get(b.body, 'route_key')) ?? 'ANY /').split(/\s+/);
    const type = textOf(get(b.body, 'authorization_type')) ?? 'NONE';
    const authorizer = type !== 'NONE' ? (refTo(get(b.body, 'authorizer_id'), 'aws_apigatewayv2_authorizer') ?? type) : undefined;
    addRoute(fn, { method: method ?? 'ANY', path: p ?? '/', ...(authorizer ? { authorizer } : {}), loc: b.lines.loc(b.file, b.node.startIndex, b.node.endIndex) });
  }
  for (const b of resource('aws_api_gateway_integration')) {
    const fn = refTo(get(b.body, 'uri'), 'aws_lambda_function');
    const methodRef = refTo(get(b.body, 'http_method'), 'aws_api_gateway_method');
    const m = resource('aws_api_gateway_method').find((x) => addr(x) === methodRef);
    if (!m) continue;
    const resRef = refTo(get(m.body, 'resource_id'), 'aws_api_gateway_resource');
    const res = resource('aws_api_gateway_resource').find((x) => addr(x) === resRef);
    const type = textOf(get(m.body, 'authorization')) ?? 'NONE';
    const authorizer = type !== 'NONE' ? (refTo(get(m.body, 'authorizer_id'), 'aws_api_gateway_authorizer') ?? type) : undefined;
    addRoute(fn, { method: textOf(get(m.body, 'http_method')) ?? 'ANY', path: `/${textOf(get(res?.body, 'path_part')) ?? ''}`, ...(authorizer ? { authorizer } : {}), loc: m.lines.loc(m.file, m.node.startIndex, m.node.endIndex) });
  }

  for (const b of resource('aws_lambda_function')) {
    const runtime = textOf(get(b.body, 'runtime'));
    if (runtime && !runtime.startsWith('python')) continue;
    const handler = textOf(get(b.body, 'handler'));
    const env: Record<string, EnvBinding> = {};
    for (const e of list(get(b.body, 'environment'))) {
      for (const v of entries(get(e, 'variables'))) {
        const value = textOf(v.value);
        const ref = value ? classifyResource(value.startsWith('${') ? value : `arn:aws:dynamodb:*:*:table/${value}`, tables) : undefined;
        env[v.key] = { ...(ref?.table && !ref.index ? { table: ref.table } : {}), ...(value !== undefined ? { value } : {}) };
      }
    }
    const roleRef = refTo(get(b.body, 'role'), 'aws_iam_role');
    const r = roleRef ? roles.get(roleRef) : undefined;
    const archive = refTo(get(b.body, 'filename'), 'data\\.archive_file');
    const arch = archive ? data('archive_file').find((d) => `data.${addr(d)}` === archive) : undefined;
    const source = textOf(get(arch?.body, 'source_dir'));
    const split = handler ? splitHandler(handler) : undefined;
    model.functions.push({
      id: addr(b),
      ...(handler ? { handler } : {}),
      ...(split ? { module: split.module, functionName: split.functionName } : {}),
      ...(source && !source.includes('${') ? { codeDir: path.resolve(dir, source) } : {}),
      env,
      policies: r?.statements ?? [],
      policiesKnown: roleRef !== undefined && (r?.known ?? true),
      routes: routesOf.get(addr(b)) ?? [],
      format: 'terraform',
      loc: b.lines.loc(b.file, b.node.startIndex, b.node.endIndex),
    });
  }
}
