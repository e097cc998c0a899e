import type { DynamoGuardSettings } from '../../protocol';
import type { PyDocument } from '../parse/document';
import type { SyntaxNode } from '../parse/syntax';
import type { FunctionInfo, ModuleStructure, ParamInfo } from './module';
import type { InitTemplate, SummaryRef } from './interp/state';
import type { InstanceAttr, Source, Value } from './values';
import type { WorkspaceIndex } from './workspace';

export type Framework = 'fastapi' | 'flask' | 'chalice' | 'lambda';

export interface HandlerInfo {
  framework: Framework;
  /** The route decorator (absent for Lambda and MethodView methods). */
  route?: SyntaxNode;
  path?: string;
  methods: string[];
  /** Authenticated by a decorator, router/app dependencies, before_request or a Chalice authorizer. */
  authenticatedBy?: SyntaxNode;
  /** Parameters whose value is the subject (Depends(auth)/Security(auth)). */
  subjectParams: ParamInfo[];
  /** FastAPI response_model / explicit return model: the response is narrowed. */
  responseNarrowed: boolean;
  /** Name of the dependency function a DG101/DG102 fix should use (`get_current_user`). */
  authFunction?: string;
}

/** One key attribute of a table call and the value bound to it. */
export interface KeyPart {
  attr?: string;
  node: SyntaxNode;
  value: Value;
  /** True for the partition key (or the only key we can see). */
  partition: boolean;
  /** Key conditions only: `eq`, `begins_with`, `between`, `lt`/`lte`/`gt`/`gte` (builder method names). */
  op?: string;
  /** Of a transaction `Put` conditioned on `attribute_not_exists`: it cannot touch an existing item. */
  createOnly?: boolean;
}

/**
 * In `TableCall.verified`: the subject was read (an auth check, a claims read) on every path to
 * the call. A check made after some calls (a monolithic Lambda's `/dump` branch before
 * `auth_is_valid(event)`) does not cover them.
 */
export const AUTHENTICATED = '@authenticated';

/** One call on the way from a handler down to a DynamoDB call in a layer (service, repository...). */
export interface LayerHop {
  /** The callee's name token at the call site (`get_order` in `service.get_order(order_id)`), or the DynamoDB method. */
  node: SyntaxNode;
  label: string;
  /** File of `node` when it is not the analysed file. */
  path?: string;
}

export interface TableCall {
  id: number;
  node: SyntaxNode;
  methodNode: SyntaxNode;
  method: string;
  api: 'resource' | 'client' | 'pynamo' | 'batch' | 'unknown';
  tableName?: string;
  receiver: SyntaxNode;
  /** Value of the receiver (a PynamoDB item carries its payload/key here). */
  receiverValue: Value;
  kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>;
  args: Array<{ node: SyntaxNode; value: Value }>;
  keys: KeyPart[];
  /** The enclosing statement (for inserting guards before it). */
  statement: SyntaxNode;
  /** Request sources verified by ownership guards on every path to this call. */
  verified: Set<string>;
  /**
   * Request sources validated on every path to this call: handler parameters typed `Literal[...]`
   * or as an Enum, `Query(pattern=/regex=/le=/lt=)`, or checked by `if p not in ALLOWED: <leave>`,
   * `if not re.fullmatch(..., p): <leave>`, `assert p in ...`. Only whole parameters are listed
   * (a check of one field of a payload says nothing about the others); a checked *value* carries
   * `Value.checked` instead. Use `unvalidatedSources(value, call.validated)` to ask both.
   */
  validated: Set<string>;
  /** The innermost `for`/`while` statement of the function around this call, if any. */
  loop?: SyntaxNode;
  /**
   * Python-side filtering of this read's items by the subject: a comparison of an item attribute
   * with the subject in a comprehension `if` or in an `if` inside a loop (`continue`/`append`).
   */
  subjectFilter?: SyntaxNode;
  /** Read whose fetched item's owner is compared to the subject afterwards. */
  postChecked: boolean;
  /** A ConditionExpression (string or Attr builder) binds an attribute to the subject. */
  conditionBindsSubject: boolean;
  /** Attributes read from this call's result (`item["name"]`), for projections. */
  usedFields: Set<string>;
  /** Pynamo: the model class name; for instance methods, the item's key value. */
  pynamoModel?: string;
  isRead: boolean;
  isWrite: boolean;
  fn: FunctionInfo;
  /**
   * Set on a table call made inside a layer and seen at the call into it: `node`/`methodNode`/
   * `statement` are the call in this function, the hops lead call by call to the DynamoDB call
   * (the last hop). Rules about what the caller passes anchor on `methodNode`; rules about the
   * DynamoDB call itself (DG301, DG4xx...) skip these: they report in the layer.
   */
  via?: LayerHop[];
}

export interface ReturnFact {
  node: SyntaxNode;
  value: Value;
}

export interface FunctionFacts {
  fn: FunctionInfo;
  handler?: HandlerInfo;
  calls: TableCall[];
  returns: ReturnFact[];
  /** `raise X(...)` statements with the value of the raised expression (HTTPException details...). */
  raises: ReturnFact[];
  /** Subject reads inside the body (g.user, get_jwt_identity(), authorizer claims, auth calls). */
  subjectReads: Source[];
  /** Guard helpers called (count as a subject presence for DG102). */
  guardCalls: SyntaxNode[];
}

/** What a helper function does, seen from its callers. */
export interface FunctionSummary {
  /** Return value, with `params` marking values that flow from arguments. */
  returns: Value;
  /** Parameter index pairs compared by an ownership guard; -1 stands for a subject read inside. */
  guardPairs: Array<[number, number]>;
  isAuth: boolean;
  /** Table calls made inside (directly or through its own callees), values in terms of `params`. */
  calls: TableCall[];
  /** Every return is a 401/403/404 response (`def not_found(): return {"statusCode": 404, ...}`). */
  denies?: boolean;
}

/** Everything the rules read about one file; computed once per analysis and shared by all rules. */
export interface FileFacts {
  doc: PyDocument;
  text: string;
  /** Analysis errors of this file (budget exceeded): its other functions' facts are complete. */
  errors: string[];
  /** Interpreter steps spent on the file (the budget's unit), for tests and benchmarks. */
  work: number;
  module: ModuleStructure;
  globals: Map<string, Value>;
  functions: FunctionFacts[];
  handlers: FunctionFacts[];
  /** Table calls of module-level code and class bodies (scripts, notebook cells); read by the expression rules. */
  moduleCalls: TableCall[];
  settings: DynamoGuardSettings;
  workspace?: WorkspaceIndex;
  path?: string;
  /** Key schemas known from create_table calls (this file and the workspace). */
  keySchema(tableName: string | undefined): string[] | undefined;
  /** Names of auth functions defined in this file or the workspace. */
  authFunctionNames: string[];
  /** Summary of a top-level function of this file (computed on demand, cached). */
  summary(name: string): FunctionSummary | undefined;
  /** Summary of a method of a class of this file, with its parameter names (`self` first). */
  methodSummary(className: string, method: string, attrs?: readonly InstanceAttr[]): SummaryRef | undefined;
  /** `self.<name>` bindings of a class's `__init__` over its parameters (constructor arguments reach methods). */
  initTemplate(className: string): InitTemplate | undefined;
  /** What a module-level name of this file is, seen from an importer (a table, a class, an instance...). */
  describe(name: string): Value | undefined;
  /** Key schemas declared by create_table calls in this file. */
  schemas: Map<string, string[]>;
  /** Names of functions whose body authenticates (decodes a token, raises 401) or match auth patterns. */
  localAuthFunctions: string[];
  /** Is top-level function `name` a decorator whose wrapper leaves when the session has no user? */
  sessionDecorator(name: string): boolean;
}
