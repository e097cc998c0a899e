// AST of DynamoDB expressions. Every node carries [start, end) offsets into the expression text.

export type ExprKind = 'key' | 'filter' | 'condition' | 'update' | 'projection';

export interface Span {
  start: number;
  end: number;
}

/** One element of a document path: `name`, `#placeholder` or `[3]`. */
export type PathElement =
  | (Span & { kind: 'name'; name: string })
  | (Span & { kind: 'attrName'; name: string })
  | (Span & { kind: 'index'; index: number });

export interface PathNode extends Span {
  type: 'path';
  elements: PathElement[];
}

export interface ValueNode extends Span {
  type: 'value';
  /** `:placeholder`, colon included. */
  name: string;
}

export interface FunctionNode extends Span {
  type: 'function';
  name: string;
  nameSpan: Span;
  args: ExprNode[];
}

export interface ParenNode extends Span {
  type: 'paren';
  inner: ExprNode;
}

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface CompareNode extends Span {
  type: 'compare';
  op: Comparator;
  opSpan: Span;
  left: ExprNode;
  right: ExprNode;
}

export interface BetweenNode extends Span {
  type: 'between';
  opSpan: Span;
  subject: ExprNode;
  low: ExprNode;
  high: ExprNode;
}

export interface InNode extends Span {
  type: 'in';
  opSpan: Span;
  subject: ExprNode;
  list: ExprNode[];
}

export interface LogicalNode extends Span {
  type: 'and' | 'or';
  opSpan: Span;
  left: ExprNode;
  right: ExprNode;
}

export interface NotNode extends Span {
  type: 'not';
  opSpan: Span;
  arg: ExprNode;
}

/** `a + :b` / `a - :b` in a SET action. */
export interface ArithNode extends Span {
  type: 'arith';
  op: '+' | '-';
  opSpan: Span;
  left: ExprNode;
  right: ExprNode;
}

export type ExprNode =
  | PathNode | ValueNode | FunctionNode | ParenNode | CompareNode | BetweenNode | InNode
  | LogicalNode | NotNode | ArithNode;

export type UpdateClauseKind = 'SET' | 'REMOVE' | 'ADD' | 'DELETE';

export interface UpdateAction extends Span {
  path: PathNode;
  /** SET: the assigned value; ADD/DELETE: the :value; REMOVE: none. */
  value?: ExprNode;
}

export interface UpdateClause extends Span {
  keyword: UpdateClauseKind;
  keywordSpan: Span;
  actions: UpdateAction[];
}

export interface UpdateExpression {
  type: 'update';
  clauses: UpdateClause[];
}

export interface ProjectionExpression {
  type: 'projection';
  paths: PathNode[];
}

export type ParsedRoot = ExprNode | UpdateExpression | ProjectionExpression;

/** What a check found wrong, with the offending span. `code` groups errors for messages and rules. */
export interface ExprError extends Span {
  code:
    | 'empty' | 'syntax' | 'parens' | 'unknownFunction' | 'arity' | 'needsPath' | 'misusedFunction'
    | 'distinct' | 'notCondition' | 'notOperand' | 'keyCondition' | 'clauseRepeated' | 'pathOverlap'
    | 'pathConflict' | 'operandType';
  message: string;
}

/** A bare attribute name used in a document path (the candidates for the reserved-word check). */
export interface NameRef extends Span {
  name: string;
}
