import type { FileFacts, Framework, FunctionFacts, KeyPart } from '../model/facts';
import { matchesAny } from '../model/names';
import type { Source } from '../model/values';
import { textOf } from '../model/module';
import { field, visit, type SyntaxNode } from '../parse/syntax';
import type { TextEdit } from '../types';
import { EditBuilder, pyString } from './edits';

// Choosing what a fix compares the key with, and how the framework says "403".

export interface SubjectChoice {
  /** Python expression for the caller's identity (`current_user["user_id"]`). */
  expr: string;
  /** Extra edits (a new `Depends` parameter, imports) the expression needs. */
  edits: Array<TextEdit | undefined>;
  /** True when we had to guess the shape; such fixes are not applied by "fix all". */
  guessed: boolean;
}

const PLAIN_ID = /^(str|int|UUID|uuid\.UUID)$/;
const PREFERRED_KEYS = ['user_id', 'sub', 'id', 'userId', 'username', 'uid', 'principalId'];

/** The expression a subject source node is used through (`g.user` -> `g.user["sub"]`). */
function widen(facts: FileFacts, node: SyntaxNode): SyntaxNode {
  let n = node;
  for (let i = 0; i < 3; i++) {
    const p = n.parent;
    if (!p || (p.type !== 'subscript' && p.type !== 'attribute') || field(p, p.type === 'subscript' ? 'value' : 'object') !== n) break;
    if (p.type === 'attribute' && p.parent?.type === 'call' && field(p.parent, 'function') === p) break;
    n = p;
  }
  void facts;
  return n;
}

/** Most common textual use of the subject across the file's handlers of one framework. */
function fileIdiom(facts: FileFacts, framework: Framework): string | undefined {
  const counts = new Map<string, number>();
  for (const f of facts.handlers) {
    if (f.handler!.framework !== framework) continue;
    for (const s of f.subjectReads) {
      const expr = textOf(facts.text, widen(facts, s.node));
      if (/^(g\.\w+|current_user|get_jwt_identity\(\)|app\.current_request\.context|event\[)/.test(expr)) counts.set(expr, (counts.get(expr) ?? 0) + 1);
    }
  }
  let best: string | undefined;
  let n = 0;
  for (const [e, c] of counts) if (c > n || (c === n && best !== undefined && e.length > best.length)) [best, n] = [e, c];
  // `g.user` alone is an object; an idiom must pick the identifier out of it.
  return best && /[\]\w)]$/.test(best) && best !== 'g.user' ? best : undefined;
}

/** How a FastAPI subject parameter is used in the file (`.id`, `["user_id"]`), from uses or the auth function. */
function accessorFor(facts: FileFacts, param: string, authFn: string | undefined): { accessor: string; guessed: boolean } {
  const uses = new Map<string, number>();
  const re = new RegExp(`\\b${param}(\\.(?:${PREFERRED_KEYS.join('|')})\\b|\\[\\s*["'](?:${PREFERRED_KEYS.join('|')})["']\\s*\\])`, 'g');
  for (const m of facts.text.matchAll(re)) uses.set(m[1]!.replace(/'/g, '"').replace(/\s/g, ''), (uses.get(m[1]!) ?? 0) + 1);
  let best: string | undefined;
  let n = 0;
  for (const [a, c] of uses) if (c > n) [best, n] = [a, c];
  if (best) return { accessor: best, guessed: false };
  const local = authFn ? authFunctionShape(facts, authFn) : undefined;
  if (local !== undefined) return { accessor: local, guessed: false };
  const remote = authFn ? facts.workspace?.authAccessor?.(authFn) : undefined;
  if (remote !== undefined) return { accessor: remote, guessed: false };
  return { accessor: '.id', guessed: true };
}

/**
 * How to get the caller's id out of what auth function `name` (defined in this file) returns:
 * '' for a plain id, `["user_id"]` for a dict, `.user_id` for a model; undefined when unknown.
 * Exported into the workspace index so other modules' fixes use the same shape.
 */
export function authFunctionShape(facts: FileFacts, name: string): string | undefined {
  const fn = facts.module.topFunctions.get(name);
  if (!fn) return undefined;
  const ret = fn.returnType ? textOf(facts.text, fn.returnType) : '';
  if (/^(str|int|UUID|uuid\.UUID)$/.test(ret)) return '';
  let accessor: string | undefined;
  visit(fn.body, (n) => {
    if (accessor !== undefined) return false;
    if (n.type === 'return_statement') {
      const v = n.children.find((c) => c.named);
      if (v?.type === 'dictionary') {
        const keys = v.children.filter((c) => c.type === 'pair').map((p) => textOf(facts.text, field(p, 'key')!).replace(/^["']|["']$/g, ''));
        const k = PREFERRED_KEYS.find((x) => keys.includes(x));
        if (k) accessor = `[${pyString(k, facts)}]`;
      } else if (v?.type === 'string') {
        accessor = '';
      }
    }
    return undefined;
  });
  if (accessor !== undefined) return accessor;
  const cls = ret ? facts.module.classes.get(ret) : undefined;
  const f = cls?.fields.find((x) => PREFERRED_KEYS.includes(x));
  return f ? `.${f}` : undefined;
}

/**
 * The subject parameter the file's FastAPI handlers already declare, most common first
 * (`subject_id: str = Depends(get_current_user_id)`): a fix that adds one copies it, so the new
 * handler reads the caller the way its neighbours do.
 */
export function fileSubjectParam(facts: FileFacts): { name: string; text: string; auth: string } | undefined {
  const counts = new Map<string, { name: string; text: string; auth: string; n: number }>();
  for (const f of facts.handlers) {
    const h = f.handler!;
    const p = h.subjectParams[0];
    if (h.framework !== 'fastapi' || !p || !h.authFunction || !p.default) continue;
    const text = textOf(facts.text, p.node).replace(/\s+/g, ' ');
    const seen = counts.get(text) ?? { name: p.name, text, auth: h.authFunction, n: 0 };
    seen.n++;
    counts.set(text, seen);
  }
  let best: { name: string; text: string; auth: string; n: number } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best;
}

/** The parameter a FastAPI fix adds to a handler without a subject, and the auth function it depends on. */
export function newSubjectParam(facts: FileFacts, fn: FunctionFacts['fn']): { name: string; text: string; auth: string } {
  const idiom = fileSubjectParam(facts);
  if (idiom && !fn.params.some((x) => x.name === idiom.name)) return idiom;
  const names = facts.authFunctionNames;
  const auth = names.find((n) => /^get_current_user/.test(n)) ?? names[0] ?? 'get_current_user';
  const name = fn.params.some((x) => x.name === 'current_user') ? 'auth_user' : 'current_user';
  return { name, text: `${name}=Depends(${auth})`, auth };
}

export function chooseSubject(facts: FileFacts, fnFacts: FunctionFacts, b: EditBuilder): SubjectChoice | undefined {
  const h = fnFacts.handler;
  if (!h) return undefined;
  switch (h.framework) {
    case 'fastapi': {
      const p = h.subjectParams[0];
      if (p) {
        // `subject_id: str = Depends(...)` is the id itself.
        if (p.annotation && PLAIN_ID.test(textOf(facts.text, p.annotation))) return { expr: p.name, edits: [], guessed: false };
        const { accessor, guessed } = accessorFor(facts, p.name, h.authFunction);
        return { expr: p.name + accessor, edits: [], guessed };
      }
      // No subject: add `current_user = Depends(<auth fn>)`.
      const names = facts.authFunctionNames;
      const { name, text, auth } = newSubjectParam(facts, fnFacts.fn);
      const plain = PLAIN_ID.test(/^\w+\s*:\s*([\w.]+)/.exec(text)?.[1] ?? '');
      const { accessor, guessed } = plain ? { accessor: '', guessed: false } : accessorFor(facts, name, auth);
      const edits = [b.addParameter(fnFacts.fn, text), b.ensureImport('fastapi', 'Depends')];
      const authModule = b.isBound(auth) ? undefined : facts.workspace?.authModuleOf?.(auth, facts.path);
      if (authModule) edits.push(b.ensureImport(authModule, auth));
      return { expr: name + accessor, edits, guessed: guessed || !names.includes(auth) || (!b.isBound(auth) && !authModule) };
    }
    case 'flask': {
      const own = fnFacts.subjectReads[0];
      if (own) {
        const e = textOf(facts.text, widen(facts, own.node));
        if (e !== 'g.user') return { expr: e, edits: [], guessed: false };
      }
      const idiom = fileIdiom(facts, 'flask');
      if (idiom) return { expr: idiom, edits: [], guessed: false };
      const imports = [...facts.module.imports.values()].map((i) => i.qualified);
      if (imports.some((q) => q.startsWith('flask_jwt_extended'))) {
        return { expr: 'get_jwt_identity()', edits: [b.ensureImport('flask_jwt_extended', 'get_jwt_identity')], guessed: false };
      }
      if (imports.some((q) => q.startsWith('flask_login'))) {
        return { expr: 'current_user.id', edits: [b.ensureImport('flask_login', 'current_user')], guessed: true };
      }
      return { expr: 'g.user["user_id"]', edits: [b.ensureImport('flask', 'g')], guessed: true };
    }
    case 'chalice': {
      const app = h.route?.type === 'call' ? textOf(facts.text, field(field(h.route, 'function')!, 'object')!) : 'app';
      const idiom = fileIdiom(facts, 'chalice');
      return { expr: idiom ?? `${app}.current_request.context["authorizer"]["principalId"]`, edits: [], guessed: !idiom };
    }
    case 'lambda': {
      const event = fnFacts.fn.params[0]?.name ?? 'event';
      const idiom = fileIdiom(facts, 'lambda');
      if (idiom && idiom.startsWith(`${event}[`)) return { expr: idiom, edits: [], guessed: false };
      return { expr: `${event}["requestContext"]["authorizer"]["claims"]["sub"]`, edits: [], guessed: true };
    }
    default:
      return undefined;
  }
}

/** The framework's way to refuse: lines (relative indentation via `unit`) and the imports they need. */
export function denyLines(framework: Framework, b: EditBuilder, facts: FileFacts, status = 403): { lines: string[]; edits: Array<TextEdit | undefined> } {
  const msg = status === 403 ? 'Forbidden' : status === 409 ? 'Conflict' : 'Not found';
  switch (framework) {
    case 'fastapi':
      return { lines: [`raise HTTPException(status_code=${status}, detail=${pyString(msg, facts)})`], edits: [b.ensureImport('fastapi', 'HTTPException')] };
    case 'flask':
      return { lines: [`abort(${status})`], edits: [b.ensureImport('flask', 'abort')] };
    case 'chalice':
      {
        const cls = status === 404 ? 'NotFoundError' : status === 409 ? 'ConflictError' : 'ForbiddenError';
        return { lines: [`raise ${cls}(${pyString(msg, facts)})`], edits: [b.ensureImport('chalice', cls)] };
      }
    case 'lambda':
      return {
        lines: [`return {${pyString('statusCode', facts)}: ${status}, ${pyString('body', facts)}: json.dumps({${pyString('message', facts)}: ${pyString(msg, facts)}})}`],
        edits: [b.isBound('json') ? undefined : b.insertTopLevelLines(['import json'])],
      };
    default:
      return { lines: [], edits: [] };
  }
}

/** The attribute the file already binds to the subject (`"owner_id": user.id` in a put, `owner_id = :uid` in a condition). */
export function ownerAttributeFromFile(facts: FileFacts): string | undefined {
  for (const f of facts.functions) {
    for (const c of f.calls) {
      const item = c.kwargs.get('Item')?.value;
      for (const e of item?.dict ?? []) if (e.value.subject?.length && matchesAny(e.key, facts.settings.ownerAttributes)) return e.key;
      const kce = c.kwargs.get('KeyConditionExpression')?.value;
      for (const t of kce?.cond ?? []) if (t.value.subject?.length && matchesAny(t.attr, facts.settings.ownerAttributes)) return t.attr;
      for (const k of c.keys) if (k.attr && k.value.subject?.length && /owner/i.test(k.attr)) return k.attr;
    }
  }
  return undefined;
}

export function ownerAttribute(facts: FileFacts): string {
  const fromFile = ownerAttributeFromFile(facts);
  if (fromFile) return fromFile;
  const literal = facts.settings.ownerAttributes.find((a) => /^\w+$/.test(a));
  return literal && literal !== 'user_id' ? literal : 'owner_id';
}

/**
 * What the guard compares: the key expression itself when it is a plain name/attribute/subscript
 * (`safe_id`, `note.note_id`, `event["pathParameters"]["id"]`), else the scalar path or query
 * parameter it was built from (`f"USER#{user_id}"` -> `user_id`). Never a whole body model.
 */
export function keyExpression(facts: FileFacts, part: KeyPart, sources: Source[]): string | undefined {
  const n = part.node;
  if (['identifier', 'attribute', 'subscript'].includes(n.type) && !/\(/.test(textOf(facts.text, n))) return textOf(facts.text, n);
  const only = sources.length === 1 ? sources[0]! : undefined;
  if (only?.id.startsWith('param:') && /^(path|query) parameter/.test(only.label)) return only.id.slice('param:'.length);
  return undefined;
}

/** Keys that name a user (so comparing them with the caller's id is the right guard). */
export const USER_KEY = /(^|_)(user|users|owner|account|member|customer|profile|principal|sub|username|email|uid)(_?id)?$|^(id|pk)$/i;

