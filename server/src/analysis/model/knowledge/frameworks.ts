import type { TableCall } from '../facts';
import type { ObjKind } from '../values';
import { CLIENT_METHODS, G_SUBJECT, PYNAMO_CLASS_METHODS, PYNAMO_ITEM_METHODS, TABLE_METHODS } from '../names';

// Framework and library knowledge as data ("models as data"): which names, attributes, subscripts
// and calls of web frameworks and AWS SDKs are request input (sources), the authenticated
// identity (subjects), table calls (sinks) or response constructors. The interpreter in
// ../interp reads these tables and knows no framework by name; supporting another framework or
// wrapper convention is an entry here plus fixtures.

/**
 * What reading something yields. Labels are message wording; `{attr}`, `{key}`, `{keyRepr}`
 * (the key as a Python literal, or `...`), `{method}` and `{name}` are filled in.
 */
export type Read =
  /** Request input; `payload` when it is the whole request body (mass assignment). */
  | { kind: 'request'; label: string; payload?: boolean }
  /**
   * The authenticated identity. `scope` says which code it authenticates: absent, the whole
   * handler (`g.user` is set by a hook that already refused anonymous callers); `path`, the code
   * the read dominates (`session["user_id"]` raises without a session); `checked`, only the code
   * behind a check that leaves when it is missing (`session.get("user_id")` is `None` then).
   */
  | { kind: 'subject'; label: string; scope?: SubjectScope }
  /** A recognised object (a framework request, an SDK resource...). */
  | { kind: 'object'; obj: ObjKind }
  /** Nothing known. */
  | { kind: 'empty' };

export type SubjectScope = 'path' | 'checked';

/** Attributes of a framework object: `request.args`, `g.user`, `app.current_request`. */
export interface AttributeModel {
  attrs: Readonly<Record<string, Read>>;
  /** Attributes matching this pattern (when not listed in `attrs`). */
  pattern?: { test: RegExp; read: Read };
  /** Any other attribute: the object itself, or nothing. */
  otherwise: 'self' | 'empty';
}

const req = (label: string, payload = false): Read => (payload ? { kind: 'request', label, payload } : { kind: 'request', label });
const subj = (label: string, scope?: SubjectScope): Read => (scope ? { kind: 'subject', label, scope } : { kind: 'subject', label });
const obj = (o: ObjKind): Read => ({ kind: 'object', obj: o });

function each(names: string[], read: (name: string) => Read): Record<string, Read> {
  return Object.fromEntries(names.map((n) => [n, read(n)]));
}

export const ATTRIBUTE_SOURCES: Readonly<Partial<Record<ObjKind, AttributeModel>>> = {
  // Flask / werkzeug `request`
  flaskRequest: {
    attrs: each(['args', 'form', 'values', 'data', 'view_args', 'headers', 'cookies', 'files', 'json'], (a) =>
      req('`request.{attr}`', a === 'json' || a === 'form' || a === 'values')),
    otherwise: 'self',
  },
  flaskG: { attrs: {}, pattern: { test: G_SUBJECT, read: subj('`g.{attr}`') }, otherwise: 'empty' },
  // AWS Chalice
  chaliceApp: { attrs: { current_request: obj('chaliceRequest') }, otherwise: 'empty' },
  chaliceRequest: {
    attrs: {
      ...each(['uri_params', 'query_params', 'json_body', 'raw_body', 'headers', 'method'], (a) => req('`current_request.{attr}`', a === 'json_body')),
      context: obj('chaliceContext'),
    },
    otherwise: 'empty',
  },
  // FastAPI / Starlette `Request`
  starletteRequest: {
    attrs: each(['query_params', 'path_params', 'headers', 'cookies'], () => req('`request.{attr}`')),
    otherwise: 'empty',
  },
};

/** Subscripts of a framework object: `event["pathParameters"]`, `session["user_id"]`. */
export interface IndexModel {
  keys: Readonly<Record<string, Read>>;
  /** Any key (also an unknown one). */
  any?: Read;
  /** `obj.get(key)` / `obj.pop(key)` when it differs from a subscript (no KeyError). */
  lookup?: Read;
}

export const INDEX_SOURCES: Readonly<Partial<Record<ObjKind, IndexModel>>> = {
  // AWS Lambda behind API Gateway (proxy integration)
  lambdaEvent: {
    keys: {
      ...each(['pathParameters', 'queryStringParameters', 'multiValueQueryStringParameters', 'headers', 'multiValueHeaders'], () => req('`event["{key}"]`')),
      body: req('`event["body"]`', true),
      requestContext: obj('lambdaRequestContext'),
      // Non-proxy integrations (API Gateway mapping templates, serverless `integration: lambda`).
      ...each(['path', 'query', 'querystring', 'params'], () => req('`event["{key}"]`')),
      'body-json': req('`event["body-json"]`', true),
    },
  },
  lambdaRequestContext: { keys: each(['authorizer', 'identity'], () => subj('`event["requestContext"]["{key}"]`')) },
  chaliceContext: { keys: each(['authorizer', 'identity'], () => subj('`current_request.context["{key}"]`')) },
  // Flask's signed-cookie session: `"user_id" in session` tests it (guards.ts reads a membership
  // test of a subject-yielding mapping as a presence check).
  flaskSession: { keys: {}, any: subj('`session[{keyRepr}]`', 'path'), lookup: subj('`session.get({keyRepr})`', 'checked') },
};

/** Imported names that are framework objects or the subject themselves. */
export const IMPORTED_NAMES: Readonly<Record<string, Read>> = {
  boto3: obj('boto3'),
  aioboto3: obj('boto3'),
  aiobotocore: obj('boto3'),
  'flask.request': obj('flaskRequest'),
  'flask.g': obj('flaskG'),
  'flask.session': obj('flaskSession'),
  'flask_login.current_user': subj('the logged-in user (`current_user`)'),
  'flask_jwt_extended.current_user': subj('the logged-in user (`current_user`)'),
};

/**
 * Calls recognised by their qualified name (`boto3.resource`, `flask.jsonify`). The kinds the
 * interpreter implements:
 * - `read`: yields the `Read` (request/subject/object);
 * - `service`: an AWS SDK factory; `obj` when its service argument is `dynamodb`, else nothing;
 * - `webApp`: a FastAPI app/router whose `dependencies=` may authenticate every route;
 * - `parse`: a parser of its first argument (`json.loads`): keeps the payload;
 * - `response`: a response constructor/serialiser: yields its arguments (a response sink);
 * - `condition`: a `boto3.dynamodb.conditions` builder;
 * - `env`: reads the environment variable its first argument names (a table the template binds);
 * - `ignore`: nothing known (`Depends(f)` is read from the signature instead).
 */
export type KnownCall =
  | { kind: 'read'; read: Read }
  | { kind: 'service'; service: string; obj: ObjKind }
  | { kind: 'webApp'; obj: ObjKind }
  | { kind: 'parse' }
  | { kind: 'response' }
  | { kind: 'condition'; builder: 'Key' | 'Attr' }
  | { kind: 'env' }
  | { kind: 'ignore' };

const calls = (names: string[], c: KnownCall): Array<[string, KnownCall]> => names.map((n) => [n, c]);

export const KNOWN_CALLS: ReadonlyMap<string, KnownCall> = new Map<string, KnownCall>([
  ...calls(['boto3.resource', 'boto3.session.Session.resource'], { kind: 'service', service: 'dynamodb', obj: 'dynamoResource' }),
  ...calls(['boto3.client'], { kind: 'service', service: 'dynamodb', obj: 'dynamoClient' }),
  ...calls(['boto3.Session', 'boto3.session.Session', 'aioboto3.Session', 'aioboto3.session.Session'], { kind: 'read', read: obj('session') }),
  ...calls(['fastapi.FastAPI'], { kind: 'webApp', obj: 'fastapiApp' }),
  ...calls(['fastapi.APIRouter', 'fastapi.routing.APIRouter'], { kind: 'webApp', obj: 'apiRouter' }),
  ...calls(['flask.Flask'], { kind: 'read', read: obj('flaskApp') }),
  ...calls(['flask.Blueprint'], { kind: 'read', read: obj('blueprint') }),
  ...calls(['chalice.Chalice'], { kind: 'read', read: obj('chaliceApp') }),
  ...calls(['flask.request.get_json', 'flask.request.get_data'], { kind: 'read', read: req('`request.get_json()`', true) }),
  ...calls(['json.loads', 'simplejson.loads', 'orjson.loads', 'ujson.loads'], { kind: 'parse' }),
  ...calls([
    'json.dumps', 'fastapi.encoders.jsonable_encoder', 'flask.json.jsonify', 'flask.jsonify', 'flask.make_response',
    'fastapi.responses.JSONResponse', 'starlette.responses.JSONResponse', 'chalice.Response', 'flask.Response',
  ], { kind: 'response' }),
  ...calls(['flask_jwt_extended.get_jwt_identity', 'flask_jwt_extended.get_jwt', 'flask_jwt_extended.get_current_user'], { kind: 'read', read: subj('`{name}()`') }),
  ...calls(['boto3.dynamodb.conditions.Key'], { kind: 'condition', builder: 'Key' }),
  ...calls(['boto3.dynamodb.conditions.Attr'], { kind: 'condition', builder: 'Attr' }),
  ...calls(['Depends', 'Security', 'fastapi.Depends', 'fastapi.Security'], { kind: 'ignore' }),
  ...calls(['os.getenv', 'os.environ.get'], { kind: 'env' }),
]);

/** Parsers that reject malformed input: their result (and, as a statement, their argument) is format-checked. */
export const VALIDATING_CALL = /^(uuid\.UUID|datetime\.(datetime|date|time)\.(fromisoformat|strptime)|dateutil\.parser\.isoparse)$/;

/** Calls whose result is the text of the exception being handled. */
export const ERROR_TEXT_CALL = /^traceback\.(format_exc|format_exception|format_tb|format_stack|print_exc)$|^sys\.exc_info$/;

/**
 * Methods of SDK and framework objects. `sink`: a table call recorded with its API flavour;
 * `object`: a derived object, named by a string argument (`Table("orders")`) or after the receiver.
 */
export type MethodModel =
  | { kind: 'sink'; api: TableCall['api'] }
  | { kind: 'read'; read: Read }
  | { kind: 'service'; service: string; obj: ObjKind }
  | { kind: 'object'; obj: ObjKind; name: { arg: number; kw: string } | 'receiver' };

export interface ReceiverModel {
  methods: (method: string) => MethodModel | undefined;
}

const sinks = (set: ReadonlySet<string>, api: TableCall['api']) => (m: string): MethodModel | undefined => (set.has(m) ? { kind: 'sink', api } : undefined);

/** Receivers whose methods are table calls or yield known objects. */
export const METHOD_MODELS: Readonly<Partial<Record<ObjKind, ReceiverModel>>> = {
  boto3: { methods: sessionMethod },
  session: { methods: sessionMethod },
  dynamoResource: { methods: (m) => (m === 'Table' ? { kind: 'object', obj: 'table', name: { arg: 0, kw: 'name' } } : undefined) },
  table: { methods: (m) => (m === 'batch_writer' ? { kind: 'object', obj: 'batchWriter', name: 'receiver' } : sinks(TABLE_METHODS, 'resource')(m)) },
  dynamoClient: { methods: sinks(CLIENT_METHODS, 'client') },
  batchWriter: { methods: sinks(new Set(['put_item', 'delete_item']), 'batch') },
  pynamoModel: { methods: sinks(PYNAMO_CLASS_METHODS, 'pynamo') },
  pynamoItem: { methods: sinks(PYNAMO_ITEM_METHODS, 'pynamo') },
  flaskRequest: { methods: (m) => (m === 'get_json' || m === 'get_data' ? { kind: 'read', read: req('`request.{method}()`', true) } : undefined) },
  starletteRequest: { methods: (m) => (m === 'json' || m === 'form' || m === 'body' ? { kind: 'read', read: req('`await request.{method}()`', true) } : undefined) },
};

function sessionMethod(m: string): MethodModel | undefined {
  if (m === 'resource') return { kind: 'service', service: 'dynamodb', obj: 'dynamoResource' };
  if (m === 'client') return { kind: 'service', service: 'dynamodb', obj: 'dynamoClient' };
  if (m === 'Session') return { kind: 'read', read: obj('session') };
  return undefined;
}

/**
 * Boolean authentication checks (`if not auth_is_valid(event): return 401`): calling one reads
 * the subject on the paths it dominates, like the configured auth functions.
 */
export const AUTH_CHECK_NAME = /^(auth_?is_?valid\w*|is_?(authenticated|authorized|authorised|valid_(token|session|api_?key|user))|check_(auth|token|api_?key|session)\w*|validate_(auth|token|api_?key|session)\w*)$/i;

/** PynamoDB update actions `User.role.set(x)`. */
export const PYNAMO_ACTIONS = new Set(['set', 'add', 'remove', 'delete', 'append', 'prepend']);

