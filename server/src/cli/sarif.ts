// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

import { createHash } from 'crypto';
import { pathToFileURL } from 'url';
import { REPOSITORY_URL, ruleDocUrl, type Range, type RuleMeta, type Severity } from '../analysis';
import { relatedPath, type ReportedFinding, type ScanReport } from './report';

type SarifLevel = 'error' | 'warning' | 'note';

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

interface SarifArtifactLocation {
  uri: string;
  uriBaseId: string;
}

const SRCROOT = '%SRCROOT%';
/** Bump when the hashed text changes, so old and new fingerprints are never compared. */
const FINGERPRINT_KEY = 'dynamoGuard/v1';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

// GitHub ranks security alerts by this CVSS-like score (>= 7 high, >= 4 medium); derived from the
// rule's default severity since every DynamoGuard rule is a security or correctness check.
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0', hint: '1.0' };

function region(r: Range): SarifRegion {
  // SARIF lines/columns are 1-based, endColumn exclusive, columns in UTF-16 code units by
  // default (run.columnKind): exactly the analyzer's LSP-style ranges plus one.
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

/** A relative URI reference: each segment percent-encoded, `..` kept. */
function relativeUri(relPath: string): string {
  return relPath
    .split('/')
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
}

/** `CWE-639`, `cwe-639` or `639` -> 639. */
function cweNumber(id: string): string | undefined {
  return /(\d+)/.exec(id)?.[1];
}

function ruleDescriptor(meta: RuleMeta) {
  const cwes = meta.cwe.map(cweNumber).filter((n): n is string => n !== undefined);
  const d = meta.docs;
  const markdown = [
    `**${meta.code} ${meta.name}**: ${meta.summary}`,
    d.whatItDoes && `## What it does\n\n${d.whatItDoes}`,
    d.whyIsThisBad && `## Why is this bad?\n\n${d.whyIsThisBad}`,
    d.example && `## Example\n\n\`\`\`python\n${d.example.trimEnd()}\n\`\`\``,
    d.useInstead && `## Use instead\n\n\`\`\`python\n${d.useInstead.trimEnd()}\n\`\`\``,
    `[Documentation](${ruleDocUrl(meta.code)})`,
  ].filter(Boolean).join('\n\n');
  return {
    id: meta.code,
    name: meta.name,
    shortDescription: { text: meta.summary },
    fullDescription: { text: d.whatItDoes || meta.summary },
    help: { text: `${meta.summary} See ${ruleDocUrl(meta.code)}`, markdown },
    helpUri: ruleDocUrl(meta.code),
    defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
    properties: {
      // GitHub shows tags as filters and reads CWE ids from "external/cwe/cwe-N" (CodeQL's form).
      tags: [...new Set(['security', ...cwes.map((n) => `external/cwe/cwe-${n}`), ...cwes.map((n) => `CWE-${n}`)])],
      'security-severity': SECURITY_SEVERITY[meta.defaultSeverity],
      precision: 'high',
    },
  };
}

/**
 * A fingerprint that survives code moving up or down: rule, file and the trimmed text of the
 * line, not its number; repeated identical lines get an occurrence suffix (GitHub's own scheme).
 */
function fingerprints(findings: readonly ReportedFinding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const hash = createHash('sha256').update(`${f.finding.rule}\0${f.path}\0${f.lineText}`).digest('hex').slice(0, 32);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  });
}

export function toSarif(report: ScanReport, rules: readonly RuleMeta[]): string {
  const ruleIndex = new Map(rules.map((m, i) => [m.code, i]));
  const location = (path: string): SarifArtifactLocation => ({ uri: relativeUri(path), uriBaseId: SRCROOT });
  const prints = fingerprints(report.findings);
  const results = report.findings.map((f, i) => {
    const { finding } = f;
    const index = ruleIndex.get(finding.rule);
    return {
      ruleId: finding.rule,
      ...(index !== undefined ? { ruleIndex: index } : {}),
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: { artifactLocation: location(f.path), region: region(finding.range) },
          // Notebook regions count lines within a cell (CLI.md); name the cell so a reader can find it.
          ...(finding.cell !== undefined ? { logicalLocations: [{ name: `cell ${finding.cell + 1}`, kind: 'notebookCell' }] } : {}),
        },
      ],
      ...(finding.cell !== undefined ? { properties: { cell: finding.cell + 1 } } : {}),
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
      ...(finding.related.length > 0
        ? {
            relatedLocations: finding.related.map((r, id) => ({
              id,
              message: { text: r.message },
              physicalLocation: { artifactLocation: location(relatedPath(report, f.path, r)), region: region(r.range) },
            })),
          }
        : {}),
      ...(finding.fixes.length > 0
        ? {
            fixes: finding.fixes.map((fix) => ({
              description: { text: fix.title },
              artifactChanges: [
                {
                  artifactLocation: location(f.path),
                  replacements: fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
                },
              ],
            })),
          }
        : {}),
    };
  });
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'DynamoGuard',
            version: report.version,
            semanticVersion: report.version,
            informationUri: REPOSITORY_URL,
            rules: rules.map(ruleDescriptor),
          },
        },
        // Paths are relative to the directory the scan ran in (the repository root in CI).
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(report.cwd).href.replace(/\/?$/, '/')}` } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: location(e.path) } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
