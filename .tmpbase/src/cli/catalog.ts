// `dynamo-guard rules` and `dynamo-guard explain`.

import * as fs from 'fs';
import { RULES, getRule, ruleDocPath, ruleDocUrl, type RuleMeta } from '../analysis';
import { UsageError } from './errors';

const byCode = (a: RuleMeta, b: RuleMeta) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export function ruleMetas(): RuleMeta[] {
  return RULES.map((r) => r.meta).sort(byCode);
}

export function rulesText(): string {
  const metas = ruleMetas();
  if (metas.length === 0) return 'No rules are registered in this build.\n';
  const nameWidth = Math.max(...metas.map((m) => m.name.length));
  const lines = metas.map((m) => `${m.code}  ${m.name.padEnd(nameWidth)}  ${m.defaultSeverity.padEnd(7)}  ${m.fixable ? 'fix' : '   '}  ${m.summary}`);
  return `${lines.join('\n')}\n`;
}

export function rulesJson(): string {
  const doc = ruleMetas().map((m) => ({
    code: m.code,
    name: m.name,
    defaultSeverity: m.defaultSeverity,
    summary: m.summary,
    fixable: m.fixable,
    cwe: m.cwe,
  }));
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** By code (any case) or by name ("unscoped-key"). */
function findRule(codeOrName: string): RuleMeta | undefined {
  return getRule(codeOrName)?.meta ?? RULES.find((r) => r.meta.name === codeOrName.toLowerCase())?.meta;
}

/** The shipped docs/rules/DGxxx.md when present, else the same headings rendered from the rule's metadata. */
export function explain(codeOrName: string): string {
  const meta = findRule(codeOrName);
  if (!meta) throw new UsageError(`unknown rule "${codeOrName}" (see "dynamo-guard rules" for the list)`, false);
  try {
    const text = fs.readFileSync(ruleDocPath(meta.code), 'utf8');
    if (text.trim()) return text.endsWith('\n') ? text : `${text}\n`;
  } catch {
    // not shipped with this build: render from metadata below
  }
  return renderDocs(meta);
}

export function renderDocs(meta: RuleMeta): string {
  const d = meta.docs;
  const code = (s: string) => `\`\`\`python\n${s.trimEnd()}\n\`\`\``;
  const sections: string[] = [
    `# ${meta.code}: ${meta.name}`,
    `${meta.summary}\n\nDefault severity: ${meta.defaultSeverity}${meta.fixable ? ' (has a quick fix)' : ''}${meta.cwe.length ? `. ${meta.cwe.join(', ')}` : ''}`,
    `## What it does\n\n${d.whatItDoes.trim()}`,
    `## Why is this bad?\n\n${d.whyIsThisBad.trim()}`,
    `## Example\n\n${code(d.example)}`,
    `## Use instead\n\n${code(d.useInstead)}`,
    `## Fix safety\n\n${d.fixSafety.trim() || 'There is no automatic fix for this rule.'}`,
    `## References\n\n${[...d.references, ruleDocUrl(meta.code)].map((r) => `- ${r}`).join('\n')}`,
  ];
  return `${sections.join('\n\n')}\n`;
}
