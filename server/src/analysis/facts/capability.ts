import type { FileFacts } from '../model/facts';
import { textOf } from '../model/module';
import type { Source } from '../model/values';

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
export const VERIFIED_DECODE = /\bcognitojwt\.decode(_async)?\(|\bjwt\.decode\(\s*[^,()]+,\s*(?!options\b)[^)]/;

function helperCall(facts: FileFacts, s: Source): string | undefined {
  return s.node.type === 'call' ? textOf(facts.text, s.node) : undefined;
}

/** A source that is a bearer capability (cart cookie) or the subject of a verified token. */
export function authorizesItself(facts: FileFacts, s: Source): boolean {
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
