import type { ExprError, ExprNode, FunctionNode, PathNode, Span } from './ast';
import { CONDITION_FUNCTIONS, err, pathText, unwrap, type NameResolver } from './validate';

interface KeyTerm {
  /** Resolved attribute name, or the #placeholder when ExpressionAttributeNames is not known. */
  attr: string;
  known: boolean;
  op: string;
  attrSpan: Span;
  opSpan: Span;
}

/**
 * DynamoDB's key-condition restrictions: an AND of at most two conditions, equality on the
 * partition key, `= < <= > >= BETWEEN begins_with` on the sort key. With the table's key schema
 * the attributes are checked too; without it, only the shape.
 */
export function validateKeyCondition(root: ExprNode, resolve: NameResolver, schema?: readonly string[]): ExprError[] {
  const errors: ExprError[] = [];
  const terms: KeyTerm[] = [];

  const keyPath = (n: ExprNode, what: string): PathNode | undefined => {
    const u = unwrap(n);
    if (u.type !== 'path') {
      errors.push(err('keyCondition', u.type === 'function' ? u.nameSpan : u, `${what} must have the key attribute as its first operand`));
      return undefined;
    }
    if (u.elements.length > 1) {
      errors.push(err('keyCondition', u, `A key condition cannot use a nested attribute (\`${pathText(u)}\`)`));
      return undefined;
    }
    return u;
  };

  const term = (p: PathNode, op: string, opSpan: Span) => {
    const e = p.elements[0]!;
    const resolved = e.kind === 'name' ? e.name : e.kind === 'attrName' ? resolve(e.name) : undefined;
    terms.push({ attr: resolved ?? (e.kind === 'attrName' ? e.name : ''), known: resolved !== undefined, op, attrSpan: p, opSpan });
  };

  const valueOperand = (n: ExprNode) => {
    const u = unwrap(n);
    if (u.type === 'value') return;
    if (u.type === 'path') errors.push(err('keyCondition', u, 'A key condition compares a key attribute with :values, not with another attribute'));
    if (u.type === 'function') errors.push(err('keyCondition', u.nameSpan, `A key condition cannot contain nested operations such as \`${u.name}(...)\``));
  };

  const walk = (n: ExprNode): void => {
    switch (n.type) {
      case 'paren':
        walk(n.inner);
        return;
      case 'and':
        walk(n.left);
        walk(n.right);
        return;
      case 'or':
      case 'not':
        errors.push(err('keyCondition', n.opSpan, `${n.type.toUpperCase()} is not allowed in a key condition (only AND of key conditions)`));
        return;
      case 'in':
        errors.push(err('keyCondition', n.opSpan, 'IN is not allowed in a key condition'));
        return;
      case 'compare': {
        if (n.op === '<>') {
          errors.push(err('keyCondition', n.opSpan, '`<>` is not allowed in a key condition'));
          return;
        }
        const l = unwrap(n.left);
        const r = unwrap(n.right);
        const paths = [l, r].filter((x): x is PathNode => x.type === 'path');
        if (paths.length === 2) {
          errors.push(err('keyCondition', n.opSpan, 'A key condition compares a key attribute with a :value, not with another attribute'));
          return;
        }
        if (paths.length === 0) {
          if (l.type === 'function' || r.type === 'function') {
            const f = (l.type === 'function' ? l : r) as FunctionNode;
            errors.push(err('keyCondition', f.nameSpan, `A key condition cannot contain nested operations such as \`${f.name}(...)\``));
          } else {
            errors.push(err('keyCondition', n.opSpan, 'A key condition needs a key attribute'));
          }
          return;
        }
        const p = paths[0]!;
        if (p.elements.length > 1) {
          errors.push(err('keyCondition', p, `A key condition cannot use a nested attribute (\`${pathText(p)}\`)`));
          return;
        }
        valueOperand(p === l ? r : l);
        term(p, n.op, n.opSpan);
        return;
      }
      case 'between': {
        const p = keyPath(n.subject, 'BETWEEN');
        valueOperand(n.low);
        valueOperand(n.high);
        if (p) term(p, 'BETWEEN', n.opSpan);
        return;
      }
      case 'function': {
        if (n.name === 'begins_with') {
          const p = n.args[0] ? keyPath(n.args[0], '`begins_with`') : undefined;
          if (n.args[1]) valueOperand(n.args[1]);
          if (p) term(p, 'begins_with', n.nameSpan);
          return;
        }
        if (n.name === 'size') {
          errors.push(err('keyCondition', n.nameSpan, 'A key condition cannot contain nested operations such as `size(...)`'));
        } else if (n.name in CONDITION_FUNCTIONS) {
          errors.push(err('keyCondition', n.nameSpan, `\`${n.name}\` is not allowed in a key condition (only begins_with)`));
        }
        return;
      }
      default:
        return;
    }
  };
  walk(root);
  if (errors.length) return errors;

  const seen = new Set<string>();
  for (const t of terms) {
    if (seen.has(t.attr)) errors.push(err('keyCondition', t.attrSpan, `A key condition may use each key attribute once (\`${t.attr}\` is used twice)`));
    seen.add(t.attr);
  }
  if (terms.length > 2) {
    errors.push(err('keyCondition', terms[2]!.attrSpan, 'A key condition has at most two conditions: partition key equality and one sort key condition'));
  }
  if (errors.length || terms.length === 0) return errors;

  if (schema?.length && terms.every((t) => t.known)) {
    const [hash, range] = schema;
    for (const t of terms) {
      if (t.attr !== hash && t.attr !== range) {
        errors.push(err('keyCondition', t.attrSpan, `\`${t.attr}\` is not a key attribute of this table (key: ${schema.join(', ')}): move the condition to FilterExpression`));
      }
    }
    if (errors.length) return errors;
    const h = terms.find((t) => t.attr === hash);
    if (!h) errors.push(err('keyCondition', terms[0]!.attrSpan, `A key condition needs an equality on the partition key \`${hash}\``));
    else if (h.op !== '=') errors.push(err('keyCondition', h.opSpan, `The partition key \`${hash}\` only takes "=" in a key condition, not ${h.op}`));
    return errors;
  }
  // Without the schema: one condition must be an equality (the partition key's).
  if (terms.length === 1 && terms[0]!.op !== '=') {
    errors.push(err('keyCondition', terms[0]!.opSpan, `A key condition needs an equality on the partition key; \`${terms[0]!.attr}\` ${terms[0]!.op} ... alone is not one`));
  } else if (terms.length === 2 && terms.every((t) => t.op !== '=')) {
    errors.push(err('keyCondition', terms[0]!.opSpan, 'A key condition needs an equality on the partition key; neither condition is one'));
  }
  return errors;
}
