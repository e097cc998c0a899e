import type { FileFacts } from '../model/facts';
import { lineOfOffset, lineStarts } from '../parse/lines';
import { rangeOf } from '../parse/syntax';
import type { Position, Range } from '../types';
import type { Issue } from './check';
import { sourceSpan } from './pyLiteral';
import type { RequestSite } from './requests';

// Document ranges for expression issues: the offending token inside the Python literal when the
// text could be mapped, else the argument (or dict entry) it came from.

const startsCache = new WeakMap<FileFacts, number[]>();

export function positionAt(facts: FileFacts, offset: number): Position {
  let starts = startsCache.get(facts);
  if (!starts) {
    starts = lineStarts(facts.text);
    startsCache.set(facts, starts);
  }
  const line = lineOfOffset(starts, offset);
  return { line, character: offset - starts[line]! };
}

export function offsetRange(facts: FileFacts, start: number, end: number): Range {
  return { start: positionAt(facts, start), end: positionAt(facts, end) };
}

export function issueRange(facts: FileFacts, site: RequestSite, issue: Issue): Range {
  if (issue.expr !== undefined) {
    const e = site.exprs[issue.expr]!;
    if (e.literal && issue.span) {
      const s = sourceSpan(e.literal, issue.span.start, issue.span.end);
      return offsetRange(facts, s.start, s.end);
    }
    return rangeOf(e.argNode);
  }
  const dict = issue.dict === 'names' ? site.names : site.values;
  if (dict) {
    const entry = issue.key !== undefined ? dict.resolved?.entries.find((x) => x.key === issue.key) : undefined;
    return rangeOf(entry ? entry.keyNode : dict.node);
  }
  return rangeOf(site.call.methodNode);
}
