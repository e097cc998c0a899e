import type { FileFacts } from '../model/facts';
import type { RuleContext } from '../rules/rule';
import type { Fix, Range } from '../types';
import type { Issue, IssueRule } from './check';
import { issueRange } from './locate';
import { requestSites, type RequestSite } from './requests';

/**
 * Report the issues of one rule over every request of the file. A literal shared by several calls
 * (an expression constant) yields one finding per distinct range and message.
 */
export function reportIssues(
  context: RuleContext,
  rule: IssueRule,
  fixes?: (facts: FileFacts, site: RequestSite, issue: Issue, all: readonly RequestSite[]) => Fix | undefined,
): void {
  const { facts } = context;
  const all = requestSites(facts);
  const seen = new Set<string>();
  for (const site of all) {
    for (const issue of site.issues) {
      if (issue.rule !== rule) continue;
      const range: Range = issueRange(facts, site, issue);
      const key = `${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}:${issue.messageId}:${JSON.stringify(issue.data)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      context.report({
        messageId: issue.messageId,
        data: issue.data,
        node: range,
        ...(fixes ? { fixes: () => { const f = fixes(facts, site, issue, all); return f ? [f] : []; } } : {}),
      });
    }
  }
}
