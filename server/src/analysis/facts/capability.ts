import type { FileFacts, FunctionFacts } from '../model/facts';
import { textOf } from '../model/module';
import type { Source } from '../model/values';
import { serviceCaller } from './principal';

// Two kinds of request input that ARE the caller's authorization:
// - a bearer capability: an unguessable id the server generated and handed to the client in a
//   cookie (an anonymous shopping cart) — holding it is the authorization, like a session id;
// - a verified token: a helper that checks a JWT's signature (`cognitojwt.decode`, `jwt.decode`
//   with a key) and returns its subject, fed the Authorization header.
// A key drawn only from those is not a BOLA, and a route that reads them authenticates.

const COOKIE = /cookie/i;
const FRESH = /uuid\.uuid4\(\)|uuid4\(\)|secrets\.token_\w+\(|ulid\(/;
const CAPABILITY_HELPER = /^`?(get_|read_|parse_)?(cart|basket|session|anon\w*|guest)_?(id|key|token)s?\(\)`?$/i;
const TOKEN_HELPER = /^`?(get_user_sub|get_sub|get_\w*claims|get_\w*principal|verify_\w*token|decode_\w*token|validate_\w*token)\(\)`?$/i;
const TOKEN_CALL = /\b(get_user_sub|get_sub|get_\w*claims|get_\w*principal|verify_\w*token|decode_\w*token|validate_\w*token)\(/;
// The token may be wrapped once: `jwt.decode(str(headers["authorization"]), KEY, ...)`.
export const VERIFIED_DECODE = /\bcognitojwt\.decode(_async)?\(|\bjwt\.decode\(\s*(?:[^,()]|\([^()]*\))+,\s*(?!options\b)[^)]/;

function helperCall(facts: FileFacts, s: Source): string | undefined {
  return s.node.type === 'call' ? textOf(facts.text, s.node) : undefined;
}

/** A source that is a bearer capability (cart cookie) or the subject of a verified token. */
export function authorizesItself(facts: FileFacts, s: Source): boolean {
  // `get_cart_id(event["headers"])`, `event["headers"].get("Authorization")` then a token helper.
  let up = s.node.parent;
  for (let i = 0; up && i < 3; i++, up = up.parent) {
    if (up.type !== 'call') continue;
    const callee = textOf(facts.text, up.children[0]!).split('.').pop() + '()';
    if (CAPABILITY_HELPER.test(callee) || TOKEN_HELPER.test(callee)) return true;
    if (/["']Authorization["']/i.test(textOf(facts.text, up)) && TOKEN_CALL.test(facts.text)) return true;
  }
  const call = helperCall(facts, s);
  if (TOKEN_HELPER.test(s.label) && (!call || /auth|token|bearer|header/i.test(call))) return true;
  if (CAPABILITY_HELPER.test(s.label) && (!call || /cookie|header/i.test(call))) return true;
  const around = textOf(facts.text, s.node.parent ?? s.node);
  return (COOKIE.test(s.label) || COOKIE.test(around)) && (FRESH.test(facts.text) || /set_cookie|Set-Cookie/i.test(facts.text));
}

/** Every source of the key authorizes itself (see above). */
export function bearerCapability(facts: FileFacts, sources: Source[]): boolean {
  return sources.length > 0 && sources.every((s) => authorizesItself(facts, s));
}


/**
 * The handler verifies a token itself (or through a helper), its caller is an IAM principal that
 * API Gateway verified (SigV4), or every key it uses is a capability.
 */
export function verifiesCaller(facts: FileFacts, fnFacts: FunctionFacts): boolean {
  const body = textOf(facts.text, fnFacts.fn.body);
  if (VERIFIED_DECODE.test(body) || TOKEN_CALL.test(body) || serviceCaller(facts, fnFacts)) return true;
  const sources = fnFacts.calls.flatMap((c) => c.keys.flatMap((k) => k.value.request ?? []));
  return bearerCapability(facts, sources);
}
