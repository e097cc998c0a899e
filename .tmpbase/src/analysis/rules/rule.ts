import type { DynamoGuardSettings } from '../../protocol';
import type { FileFacts } from '../model/facts';
import type { SyntaxNode } from '../parse/syntax';
import type { Fix, Range, RelatedLocation, RuleMeta } from '../types';

export interface Report {
  messageId: string;
  data?: Record<string, string>;
  /** Anchor: a node (its range) or an explicit range. */
  node: SyntaxNode | Range;
  related?: RelatedLocation[];
  /** Fixes are computed only when someone asks (a code action, the CLI's JSON): most findings never need them. */
  fixes?: Fix[] | (() => Fix[]);
}

export interface RuleContext {
  facts: FileFacts;
  settings: DynamoGuardSettings;
  report(report: Report): void;
}

/** One rule, ESLint-style: metadata and docs, messages by id, and a check over the shared facts. */
export interface RuleModule {
  meta: RuleMeta;
  messages: Record<string, string>;
  check(context: RuleContext): void;
}

export function formatMessage(template: string, data: Record<string, string> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => data[key] ?? `{{${key}}}`);
}
