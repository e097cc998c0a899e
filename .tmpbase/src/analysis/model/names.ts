import picomatch from 'picomatch';

// Vocabulary of RULES.md that is pure naming: which methods are table calls, which names
// authenticate, which attribute names are privileged or sensitive.

export const READ_METHODS = new Set(['get_item', 'query', 'scan', 'batch_get_item', 'transact_get_items', 'execute_statement', 'batch_execute_statement']);
export const WRITE_METHODS = new Set(['put_item', 'update_item', 'delete_item', 'batch_write_item', 'transact_write_items', 'execute_transaction']);
export const TABLE_METHODS = new Set(['get_item', 'put_item', 'update_item', 'delete_item', 'query', 'scan', 'batch_writer']);
export const CLIENT_METHODS = new Set([
  'get_item', 'put_item', 'update_item', 'delete_item', 'query', 'scan', 'batch_get_item', 'batch_write_item',
  'transact_get_items', 'transact_write_items', 'execute_statement', 'batch_execute_statement', 'execute_transaction',
]);
export const PYNAMO_CLASS_METHODS = new Set(['get', 'query', 'scan', 'batch_get', 'count']);
export const PYNAMO_ITEM_METHODS = new Set(['save', 'update', 'delete', 'refresh']);

/** Keyword arguments that only DynamoDB calls take: lets us recognise a table we cannot resolve. */
export const DYNAMO_ONLY_KWARGS = new Set([
  'Key', 'Item', 'RequestItems', 'TransactItems', 'KeyConditionExpression', 'UpdateExpression',
  'ConditionExpression', 'ProjectionExpression', 'FilterExpression', 'ExpressionAttributeValues',
  'ExpressionAttributeNames', 'IndexName', 'ExclusiveStartKey', 'Statement',
]);

export const HTTP_METHOD_DECORATORS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'api_route', 'route']);
export const METHOD_VIEW_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Decorators that authenticate the caller before the handler runs. */
const AUTH_DECORATOR = /(^|_)(login|jwt|token|auth|authentication|authorization|permission|roles?|scopes?|user)_required$|^(require|requires)_|^authenticated$|^auth$|^protected$|authori[sz]/i;

export function isAuthDecoratorName(name: string, authPatterns: string[]): boolean {
  return AUTH_DECORATOR.test(name) || matchesAny(name, authPatterns);
}

const matcherCache = new Map<string, (s: string) => boolean>();

export function matchesAny(name: string, patterns: string[]): boolean {
  for (const p of patterns) {
    let m = matcherCache.get(p);
    if (!m) {
      m = picomatch(p, { nocase: true, dot: true });
      matcherCache.set(p, m);
    }
    if (m(name)) return true;
  }
  return false;
}

/** Status codes that deny access: the spec's 401/403/404. */
export const DENY_STATUS = new Set([401, 403, 404]);

/** Exception classes whose raise denies access (werkzeug, Chalice, Django, Starlette names). */
export const DENY_EXCEPTIONS = /^(Forbidden|Unauthorized|NotFound|ForbiddenError|UnauthorizedError|NotFoundError|PermissionDenied|PermissionError|AuthorizationError|AuthenticationError|AccessDenied\w*|Http404|NotAuthorized\w*)$/;

/** Fresh identifiers: `uuid4()`, `uuid.uuid4().hex`, `secrets.token_urlsafe()`, `ulid.new()`, `ULID()`, `ksuid()`. */
export const FRESH_CALL = /(^|\.)(uuid[1-7]|token_hex|token_urlsafe|token_bytes|new_ulid|ulid|ULID|ksuid|Ksuid|generate_id|new_id)$|^ulid\.(new|ulid|from_timestamp)$|^secrets\.token_\w+$/;

/** Flask `g.<name>` attributes that hold the authenticated identity. */
export const G_SUBJECT = /user|identity|principal|claims|subject|account|auth|token/i;

export function statusFromName(name: string): number | undefined {
  const m = /HTTP_(\d{3})/.exec(name);
  return m ? Number(m[1]) : undefined;
}
