// DynamoDB expression language: parsers, validation and the request-level verdict (pure, no
// Python), plus the bridge from Python table calls to requests used by DG402-DG404.
export type * from './ast';
export { tokenize, type Token, type TokenKind } from './lexer';
export { parseCondition, parseUpdate, parseProjection, type ParseResult } from './parser';
export { validateCondition, validateUpdate, validateProjection, pathText, pathsOf, type NameResolver } from './validate';
export { validateKeyCondition } from './keyCondition';
export {
  analyzeExpression, checkRequest, EXPRESSION_LABEL, type DictState, type ExprAnalysis, type ExprSpec, type Issue, type IssueRule, type RequestSpec,
} from './check';
export { decodeLiteral, sourceSpan, isVerbatim, type DecodedLiteral } from './pyLiteral';
export { requestSites, EXPRESSION_KWARGS, type RequestSite, type ExprSite, type DictSite } from './requests';
export { issueRange } from './locate';
export { isReservedWord } from './reservedWords';

import type { NameRef, ParsedRoot, Span } from './ast';
import { tokenize } from './lexer';
import { pathsOf } from './validate';

/** Bare attribute names used in document paths. */
export function bareNames(root: ParsedRoot): NameRef[] {
  return pathsOf(root).flatMap((p) => p.elements.filter((e): e is Extract<typeof e, { kind: 'name' }> => e.kind === 'name').map((e) => ({ name: e.name, start: e.start, end: e.end })));
}

/** `#name` placeholders, with their spans. */
export function attributeNames(text: string): Array<Span & { text: string }> {
  return tokenize(text).filter((t) => t.kind === 'attrName' && t.text.length > 1).map((t) => ({ text: t.text, start: t.start, end: t.end }));
}

/** `:value` placeholders, with their spans. */
export function attributeValues(text: string): Array<Span & { text: string }> {
  return tokenize(text).filter((t) => t.kind === 'value' && t.text.length > 1).map((t) => ({ text: t.text, start: t.start, end: t.end }));
}
