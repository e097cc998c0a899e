import { simpleString } from '../../fixes/literals';
import type { FileFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { field, visit, type SyntaxNode } from '../../parse/syntax';

// Shared by DG501/DG502: AWS SDK client construction calls found in the syntax (they are not
// table calls, so the model does not record them) and the literal behind an argument.

export interface AwsCall {
  node: SyntaxNode;
  /** Callee as written, with the import prefix resolved (`boto3.client`, `session.resource`). */
  callee: string;
  kwargs: Map<string, { arg: SyntaxNode; value: SyntaxNode }>;
}

const SDK = /^(boto3|aioboto3|aiobotocore|botocore)(\.|$)/;
const FACTORY = /(^|\.)(client|resource|create_client)$/;

const callsCache = new WeakMap<FileFacts, AwsCall[]>();

/** `boto3.client/resource/Session(...)`, `<session>.client/resource("svc", ...)`, aioboto3/aiobotocore equivalents. */
export function awsCalls(facts: FileFacts): AwsCall[] {
  const cached = callsCache.get(facts);
  if (cached) return cached;
  const out: AwsCall[] = [];
  for (const unit of facts.module.units) {
    visit(unit.node, (n) => {
      if (n.type !== 'call') return;
      const fn = field(n, 'function')!;
      const written = textOf(facts.text, fn);
      const head = written.split('.')[0]!;
      const imp = facts.module.imports.get(head);
      const callee = imp ? imp.qualified + written.slice(head.length) : written;
      const args = field(n, 'arguments');
      if (args?.type !== 'argument_list') return;
      const kwargs = new Map<string, { arg: SyntaxNode; value: SyntaxNode }>();
      for (const a of args.children) {
        if (a.type === 'keyword_argument') kwargs.set(textOf(facts.text, field(a, 'name')!), { arg: a, value: field(a, 'value')! });
      }
      const first = args.children.find((c) => c.named);
      const namesService = first?.type === 'string' || kwargs.has('service_name');
      const isSdk = SDK.test(callee) && /(^|\.)(client|resource|Session|create_client)$/.test(callee);
      if (isSdk || (FACTORY.test(written) && fn.type === 'attribute' && namesService)) out.push({ node: n, callee, kwargs });
    });
  }
  callsCache.set(facts, out);
  return out;
}

export interface Literal {
  value: string;
  node: SyntaxNode;
}

function assignedLiteral(facts: FileFacts, scope: SyntaxNode, name: string, before: number, nested: boolean): Literal | undefined {
  let found: Literal | undefined;
  visit(scope, (n) => {
    if (n.start >= before && n !== scope) return false;
    if (!nested && n !== scope && (n.type === 'function_definition' || n.type === 'class_definition')) return false;
    if (n.type !== 'assignment') return undefined;
    const left = field(n, 'left');
    const right = field(n, 'right');
    if (left?.type === 'identifier' && right && textOf(facts.text, left) === name) {
      const lit = literalAt(facts, right, false);
      if (lit) found = lit;
    }
    return undefined;
  });
  return found;
}

/** `os.getenv("X", "default")` / `os.environ.get("X", "default")`: the default is what runs when X is unset. */
function envDefault(facts: FileFacts, node: SyntaxNode): SyntaxNode | undefined {
  if (node.type !== 'call') return undefined;
  if (!/^(os\.getenv|os\.environ\.get|getenv|environ\.get)$/.test(textOf(facts.text, field(node, 'function')!))) return undefined;
  return field(node, 'arguments')?.children.filter((c) => c.named)[1];
}

function literalAt(facts: FileFacts, node: SyntaxNode, follow: boolean): Literal | undefined {
  if (node.type === 'string') {
    const s = simpleString(facts.text, node);
    return s ? { value: s.value, node } : undefined;
  }
  if (node.type === 'false' || node.type === 'true') return { value: node.type === 'true' ? 'True' : 'False', node };
  const dflt = envDefault(facts, node);
  if (dflt) return literalAt(facts, dflt, false);
  if (!follow || node.type !== 'identifier') return undefined;
  const name = textOf(facts.text, node);
  let fn: SyntaxNode | null = node.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const local = fn ? assignedLiteral(facts, field(fn, 'body')!, name, node.start, false) : undefined;
  if (local) return local;
  // A function runs after the whole module has been executed: any module-level assignment counts.
  const before = fn ? Infinity : node.start;
  let found: Literal | undefined;
  for (const unit of facts.module.units) {
    if (unit.node.start > before) break;
    const isDef = /^(function_definition|class_definition|decorated_definition)$/.test(unit.node.type);
    const lit = isDef ? undefined : assignedLiteral(facts, unit.node, name, before, false);
    if (lit) found = lit;
  }
  return found;
}

/** The literal an argument is (or a local/module variable assigned from a literal, or an env lookup's default). */
export function literalOf(facts: FileFacts, node: SyntaxNode): Literal | undefined {
  return literalAt(facts, node, true);
}

/**
 * Endpoints that never leave the machine (loopback, Docker's host alias) or name a local emulator
 * by a single-label host (docker-compose services such as `dynamodb-local`, `localstack`).
 */
export function isLocalEndpoint(url: string): boolean {
  const m = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(url.trim());
  if (!m) return false;
  const host = m[1]!.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' ||
    host === '0.0.0.0' || host === 'host.docker.internal' || (!host.includes('.') && !host.includes(':'));
}
