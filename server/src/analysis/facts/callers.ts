import * as path from 'path';
import type { FileFacts, TableCall } from '../model/facts';
import { textOf, type FunctionInfo } from '../model/module';

// Who calls into a layer, seen from the layer. A repository method's key is a parameter; whether
// the client chooses it depends on its callers: the HTTP handler passing a path parameter, or an
// S3-event consumer passing the object key, a websocket route passing the server-issued
// connection id. The callers are the functions of this file and of the modules importing it whose
// facts hold this DynamoDB call re-made at the call into the layer (`TableCall.via`).

const MAX_IMPORTERS = 32;

function samePath(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && path.resolve(a) === path.resolve(b);
}

interface Caller {
  call: TableCall;
  facts: FileFacts;
  handler: boolean;
}

/** Re-makes of `call` at its callers' call sites (this file's functions and importing modules'). */
function callersOf(facts: FileFacts, call: TableCall): Caller[] {
  const out: Caller[] = [];
  const at = call.methodNode.start;
  const collect = (from: FileFacts, hopIsHere: (p: string | undefined) => boolean) => {
    for (const f of from.functions) {
      for (const c of f.calls) {
        if (c !== call && c.via?.some((h) => h.node.start === at && hopIsHere(h.path)) && out.length < 4 * MAX_IMPORTERS) {
          out.push({ call: c, facts: from, handler: !!f.handler });
        }
      }
    }
  };
  collect(facts, (p) => p === undefined);
  const ws = facts.workspace;
  if (!facts.path || !ws?.importersOf || !ws.fullFactsAt) return out;
  for (const file of ws.importersOf(facts.path).slice(0, MAX_IMPORTERS)) {
    const other = ws.fullFactsAt(file);
    if (other) collect(other, (p) => samePath(p, facts.path));
  }
  return out;
}

const EVENT_DECORATOR = /\bon_\w+|schedule|\bcron\b|consumer|subscriber|task\b|\bevent_handler\b/;

function eventEntry(facts: FileFacts, fn: FunctionInfo): boolean {
  if (fn.decorators.some((d) => EVENT_DECORATOR.test(textOf(facts.text, d)))) return true;
  return fn.params.length === 2 && /^(event|evt)$/.test(fn.params[0]!.name);
}

/** A websocket connection id API Gateway issued, or a Lambda consuming S3/SQS/EventBridge events. */
const SERVER_ISSUED = /\[\s*["']requestContext["']\s*\]\s*\[\s*["'](connectionId|requestId)["']\s*\]|\[\s*["'](Records|detail)["']\s*\]/;

function serverKey(c: Caller): boolean {
  const first = c.call.keys.find((k) => k.partition) ?? c.call.keys[0];
  const item = c.call.kwargs.get('Item')?.value.dict?.[0]?.value;
  const v = first?.value ?? item;
  if (v?.fresh || v?.subject?.length) return true;
  return SERVER_ISSUED.test(textOf(c.facts.text, c.call.fn.body));
}

function keyFromRequest(c: TableCall): boolean {
  if (c.keys.some((k) => k.value.request?.length)) return true;
  const first = c.kwargs.get('Item')?.value.dict?.[0];
  return !!first?.value.request?.length;
}

/**
 * Whether the callers of a layer's table call let the client choose its key: true when one passes
 * request input, false when every caller chain ends in a handler or event consumer passing a key
 * the client does not choose (an event's object key, a connection id, a generated id), undefined
 * when some caller is unknown (then the layer is judged on its own).
 */
export function callersChooseKey(facts: FileFacts, call: TableCall, depth = 0): boolean | undefined {
  const callers = callersOf(facts, call);
  if (!callers.length || depth > 3) return undefined;
  let unknown = false;
  for (const c of callers) {
    if (keyFromRequest(c.call)) return true;
    if (c.handler) {
      // Request input the model does not see (a form library) must not pass for a server key:
      // only a generated id, the caller's identity or a websocket connection id vouch for it.
      if (!serverKey(c)) unknown = true;
      continue;
    }
    // A pass-through function (a service between the route and the repository): ask its callers.
    // Nobody calls it but the platform: an S3/SNS/SQS/schedule entry point (`@app.on_s3_event`,
    // or an `(event, context)` function that is not an HTTP handler) feeds keys from the event.
    if (!callersOf(c.facts, c.call).length) {
      if (!eventEntry(c.facts, c.call.fn)) unknown = true;
      continue;
    }
    const up = callersChooseKey(c.facts, c.call, depth + 1);
    if (up) return true;
    if (up === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}
