// One workspace model of the infrastructure code a Python service is deployed with, whatever the
// format it was read from (SAM/CloudFormation, serverless.yml, Terraform, CDK Python). Plain data:
// readers fill it, the analyzer, the rules and `dynamo-guard iam` only read it. Nothing is executed.

import { lineOfOffset, lineStarts } from '../parse/lines';

export type InfraFormat = 'cloudformation' | 'serverless' | 'terraform' | 'cdk';

/** A place in an infrastructure file; 0-based lines, UTF-16 columns (like `Range`). */
export interface InfraLoc {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface KeySchema {
  partition: string;
  sort?: string;
}

export interface IndexInfo {
  name: string;
  kind: 'global' | 'local';
  keys: KeySchema;
}

export interface InfraTable {
  /** Logical id (CloudFormation/Serverless resource), Terraform address, or CDK variable. */
  id: string;
  /** Physical table name when it is static (`TableName: orders`), possibly with `${...}` left in. */
  name?: string;
  keys?: KeySchema;
  indexes: IndexInfo[];
  /** The table's ARN written the template's own way (`{"Fn::GetAtt": [...]}`, `${aws_..arn}`). */
  arnRef: string | Record<string, unknown>;
  format: InfraFormat;
  loc: InfraLoc;
}

/** What one resource entry of a policy statement names. */
export interface ResourceRef {
  /** Id of a known table, when the entry points at one. */
  table?: string;
  /** Index name under the table (`*` for `/index/*`). */
  index?: string;
  /** `*`, `arn:aws:dynamodb:*:*:table/*` and other wildcards that cover every table. */
  anyTable?: boolean;
  /** The entry's own text, for messages. */
  text: string;
}

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  /** Lower-cased, e.g. `dynamodb:getitem`, `dynamodb:*`, `*`. */
  actions: string[];
  resources: ResourceRef[];
  /** Set for SAM policy templates and CDK grants: the statement is implied, not written. */
  implied?: string;
  /** The statement in the file (DG601's anchor and the span its fix replaces). */
  loc: InfraLoc;
  /** Indentation/shape hints for a replacement written in the file's own syntax. */
  syntax: 'yaml' | 'json' | 'hcl' | 'hcl-jsonencode' | 'python';
}

export interface InfraRoute {
  method: string;
  path: string;
  /** Authorizer name or kind (`CognitoAuthorizer`, `jwt`, `aws_iam`); absent when the route has none. */
  authorizer?: string;
  loc: InfraLoc;
}

export interface EnvBinding {
  /** Table id when the value refers to a known table. */
  table?: string;
  /** Literal value, when static. */
  value?: string;
}

export interface InfraFunction {
  id: string;
  /** As written: `app.lambda_handler`, `src/handlers/orders.get_order`. */
  handler?: string;
  /** Python module path relative to `codeDir`, without `.py` (`handlers/orders`). */
  module?: string;
  /** Python function name. */
  functionName?: string;
  /** Absolute directory the code is deployed from (CodeUri, Code.from_asset, archive source). */
  codeDir?: string;
  env: Record<string, EnvBinding>;
  policies: PolicyStatement[];
  /** False when the function's permissions come (also) from something we cannot read: managed policies, external roles. */
  policiesKnown: boolean;
  routes: InfraRoute[];
  format: InfraFormat;
  loc: InfraLoc;
}

export interface InfraError {
  file: string;
  message: string;
}

export interface InfraModel {
  tables: InfraTable[];
  functions: InfraFunction[];
  errors: InfraError[];
  /** Infrastructure files read (absolute paths). */
  files: string[];
}

export function emptyModel(): InfraModel {
  return { tables: [], functions: [], errors: [], files: [] };
}

/** Bounds every reader honours: infrastructure files are small; anything larger is not a template. */
export const LIMITS = {
  maxFileBytes: 2 * 1024 * 1024,
  maxResources: 5000,
  maxDepth: 64,
  maxFiles: 200,
} as const;

/** Offsets to 0-based line/column, for readers whose parser reports offsets. */
export class LineIndex {
  private readonly starts: number[];
  constructor(text: string) {
    this.starts = lineStarts(text);
  }

  position(offset: number): { line: number; column: number } {
    const line = lineOfOffset(this.starts, offset);
    return { line, column: offset - this.starts[line]! };
  }

  loc(file: string, start: number, end: number): InfraLoc {
    const s = this.position(start);
    const e = this.position(end);
    return { file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }
}

/** `handlers/orders.get_order` or `handlers.orders.get_order` -> module path and function. */
export function splitHandler(handler: string): { module: string; functionName: string } | undefined {
  const m = /^(.*)\.([A-Za-z_]\w*)$/.exec(handler.trim());
  if (!m || !m[1]) return undefined;
  const mod = m[1].includes('/') ? m[1] : m[1].split('.').join('/');
  return { module: mod.replace(/^\.\//, ''), functionName: m[2]! };
}
