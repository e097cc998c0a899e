import * as path from 'path';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import type { SyntaxNode } from '../../parse/syntax';

// Which request handlers reach a DynamoDB call made inside a layer (a repository, a service, a
// helper), seen from the layer's own file: the reverse of the forward summaries. A handler's
// facts hold every layer call it reaches re-made at its call into the layer (`TableCall.via`,
// whose hops name the file of each call down to the DynamoDB one), so the handlers reaching
// `call` are those of this file and of the modules importing it, transitively, with such a
// re-make. The walk is bounded in depth and files; a handler beyond the bounds is not named.

const MAX_DEPTH = 4;
const MAX_FILES = 48;
const MAX_HANDLERS = 8;

export interface ReachingHandler {
  facts: FileFacts;
  fn: FunctionFacts;
  /** The handler's call into the layer (the first hop). */
  call: TableCall;
}

const API_GATEWAY = /\[\s*["'](pathParameters|queryStringParameters|multiValueQueryStringParameters|body|headers|requestContext|httpMethod|rawPath|routeKey)["']\s*\]|\.get\(\s*["'](pathParameters|queryStringParameters|body|headers|requestContext)["']/;

/** Any `(event, context)` function is a Lambda handler in the model; only API Gateway ones serve requests. */
export function servesRequests(facts: FileFacts, fnFacts: FunctionFacts): boolean {
  return !!fnFacts.handler && (fnFacts.handler.framework !== 'lambda' || API_GATEWAY.test(textOf(facts.text, fnFacts.fn.body)));
}

function samePath(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && path.resolve(a) === path.resolve(b);
}

function reaches(c: TableCall, at: SyntaxNode, here: (p: string | undefined) => boolean): boolean {
  return !!c.via?.some((h) => h.node.start === at.start && h.node.end === at.end && here(h.path));
}

/** Request handlers (of this file first, then of importing modules) whose calls reach `call`. */
export function handlersReaching(facts: FileFacts, call: TableCall): ReachingHandler[] {
  const out: ReachingHandler[] = [];
  const at = call.methodNode;
  const collect = (from: FileFacts, here: (p: string | undefined) => boolean) => {
    for (const fn of from.handlers) {
      if (out.length >= MAX_HANDLERS) return;
      if (!servesRequests(from, fn)) continue;
      const c = fn.calls.find((x) => x !== call && reaches(x, at, here));
      if (c) out.push({ facts: from, fn, call: c });
    }
  };
  collect(facts, (p) => p === undefined);
  const ws = facts.workspace;
  if (!facts.path || !ws?.importersOf || !ws.fullFactsAt) return out;
  const self = path.resolve(facts.path);
  const seen = new Set([self]);
  let frontier = [self];
  // A handler two modules up (route → service → repository) imports the service, not the
  // repository: follow importers of importers, breadth first.
  for (let depth = 0; depth < MAX_DEPTH && frontier.length && out.length < MAX_HANDLERS; depth++) {
    const next: string[] = [];
    for (const file of frontier) {
      for (const importer of ws.importersOf(file)) {
        const key = path.resolve(importer);
        if (seen.has(key) || seen.size >= MAX_FILES) continue;
        seen.add(key);
        next.push(key);
        const other = ws.fullFactsAt(importer);
        if (other) collect(other, (p) => samePath(p, self));
      }
    }
    frontier = next;
  }
  return out;
}
