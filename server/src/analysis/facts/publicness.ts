import type { FileFacts, FunctionFacts } from '../model/facts';
import { textOf } from '../model/module';
import { matchesAny } from '../model/names';

// Routes that are public by design (RULES.md "Public by design"): looking an item up by the
// credential the caller submits is what login, sign-up, token and password-reset routes are for,
// and health checks serve anyone. Routes restricted to administrators by a dependency or a
// decorator are not BOLA targets for writes. Both are read from the route path, the function name
// and the decorators/dependencies, plus the configurable `public-routes` globs.

const PUBLIC_WORD = /^(login|log-in|logon|signin|sign-in|signup|sign-up|register|registration|token|tokens|refresh|oauth|oauth2|callback|password|passwords|forgot|reset|confirm|confirmation|verify|verification|activate|magic-link|otp|health|healthz|healthcheck|ping|ready|readyz|livez|liveness|readiness)$/i;
const PUBLIC_NAME = /(^|_)(login|logon|signin|sign_in|signup|sign_up|register|token|refresh_token|forgot_password|reset_password|password_reset|confirm|verify_email|activate|validate_session|validate_token|verify_session|verify_token|health|healthcheck|ping|readiness|liveness)(_|$)/i;
const ADMIN = /admin|staff|superuser|super_user|(^|_)role|require_role|has_role|roles_required|permission_required/i;

export interface PublicRoute {
  why: string;
}

function settingsPublicRoutes(facts: FileFacts): string[] {
  return (facts.settings as { publicRoutes?: string[] }).publicRoutes ?? [];
}

/** Is this handler public by design, and why (for messages)? */
export function publicByDesign(facts: FileFacts, fnFacts: FunctionFacts): PublicRoute | undefined {
  const h = fnFacts.handler;
  if (!h) return undefined;
  const path = h.path ?? '';
  const configured = settingsPublicRoutes(facts);
  if (configured.length && (matchesAny(path, configured) || matchesAny(fnFacts.fn.name, configured))) return { why: 'listed in `public-routes`' };
  const word = path.split(/[/.]+/).find((seg) => !/[{<]/.test(seg) && PUBLIC_WORD.test(seg));
  if (word) return { why: `a \`${word}\` route is public by design` };
  if (PUBLIC_NAME.test(fnFacts.fn.name)) return { why: `\`${fnFacts.fn.name}\` is public by design` };
  return undefined;
}

/** Restricted to administrators: a decorator or dependency naming admin/staff/superuser/role. */
export function adminOnly(facts: FileFacts, fnFacts: FunctionFacts): boolean {
  const h = fnFacts.handler;
  if (!h) return false;
  if (fnFacts.fn.decorators.some((d) => d !== h.route && ADMIN.test(textOf(facts.text, d).replace(/\(.*$/s, '')))) return true;
  if (h.authFunction && ADMIN.test(h.authFunction)) return true;
  if (h.authenticatedBy && ADMIN.test(textOf(facts.text, h.authenticatedBy))) return true;
  return fnFacts.fn.params.some((p) => p.default && /Depends|Security/.test(textOf(facts.text, p.default)) && ADMIN.test(textOf(facts.text, p.default)));
}
