import { ruleDocUrl } from '../analyzer';
import type { RuleMeta } from '../types';

// docs/rules/DGxxx.md are generated from the rule modules (scripts/gen-docs.js) and a test fails
// when they drift, so the editor's "Show documentation", `dynamo-guard explain` and the repository
// pages always say the same thing. Headings follow Ruff's rule pages.

export function renderRuleDoc(meta: RuleMeta): string {
  const d = meta.docs;
  const lines = [
    `# ${meta.code} ${meta.name}`,
    '',
    `**Default severity:** ${meta.defaultSeverity} · **Fix:** ${meta.fixable ? 'available' : 'none'} · ${[...meta.cwe, ...meta.owasp].join(' · ')}`,
    '',
    `> ${meta.summary}`,
    '',
    '## What it does',
    '',
    d.whatItDoes,
    '',
    '## Why is this bad?',
    '',
    d.whyIsThisBad,
    '',
    '## Example',
    '',
    '```python',
    d.example,
    '```',
    '',
    '## Use instead',
    '',
    '```python',
    d.useInstead,
    '```',
    '',
    '## Fix safety',
    '',
    d.fixSafety,
    '',
    '## Suppression',
    '',
    `Add \`# dynamo-guard: ignore[${meta.code}]\` (or \`# noqa: ${meta.code}\`) at the end of the reported line, or disable the rule with \`ignore = ["${meta.code}"]\` in \`[tool.dynamo-guard]\`.`,
    '',
    '## References',
    '',
    ...d.references.map((r) => `- <${r}>`),
    '',
  ];
  return lines.join('\n');
}

export function renderIndex(metas: readonly RuleMeta[]): string {
  const rows = metas.map((m) => `| [${m.code}](${m.code}.md) | ${m.name} | ${m.defaultSeverity} | ${m.fixable ? 'yes' : '—'} | ${m.summary.replace(/\|/g, '\\|')} |`);
  return ['# DynamoGuard rules', '', '| code | name | default | fix | summary |', '|---|---|---|---|---|', ...rows, '', `Rule pages are generated from the rule modules in \`server/src/analysis/rules/\`; online: ${ruleDocUrl('DG101').replace(/DG101\.md$/, '')}`, ''].join('\n');
}
