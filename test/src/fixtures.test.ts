// Annotated rule fixtures (test/fixtures/rules/<RULE>_<name>.py), checked semgrep-style: every
// `# expect: CODE` must be reported on that line, no `# ok: CODE` line may be reported, and every
// finding of ANY rule must be expected on its start line. Default settings, one file at a time.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, RULES, type Finding } from '../../server/out/analysis';
import { CATALOG_CODES, CORE_CODES, location, parseAnnotations, type Annotation } from './helpers/annotations';
import { formatSyntaxProblems, pythonSyntaxProblems } from './helpers/pyparse';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');
const FIXTURE_NAME = /^(DG\d{3})_[a-z0-9_]+\.py$/;
/** Floor per core rule, counted in its own files, so the suite cannot silently shrink. */
const MIN_PER_KIND = 8;
const MIN_PER_KIND_OTHER = 6;
const INFRA_CODES = ['DG406', 'DG407', 'DG601', 'DG602'];
const FRAMEWORKS = ['fastapi', 'flask', 'chalice', 'lambda'];
/** Cap per file so a rule that is missing entirely does not print hundreds of lines. */
const MAX_LISTED = 40;

const fixtureFiles = fs.existsSync(FIXTURE_DIR)
  ? fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.py')).sort()
  : [];

function registeredCodes(): Set<string> {
  return new Set(RULES.map((r) => r.meta.code));
}

/** Expectations of a rule that is neither core nor registered wait for that rule to land. */
function isEnforced(rule: string, registered: Set<string>): boolean {
  return CORE_CODES.includes(rule) || registered.has(rule);
}

interface Problem {
  line: number;
  text: string;
}

function describeFinding(f: Finding): string {
  return `${f.rule} (${f.severity}) "${f.message}"`;
}

function sourceLine(lines: string[], line: number): string {
  const text = (lines[line] ?? '').trim();
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

const pending = new Map<string, number>();

describe('rule fixtures (test/fixtures/rules)', function () {
  let analyzer: Analyzer;

  before(async function () {
    analyzer = await Analyzer.create();
  });

  after(function () {
    if (pending.size === 0) return;
    const list = [...pending].map(([code, n]) => `${code} x${n}`).join(', ');
    console.log(`      (not yet enforced, rule not registered: ${list})`);
  });

  it('has fixture files', function () {
    assert.ok(fixtureFiles.length > 0, `no .py files in ${FIXTURE_DIR}`);
  });

  for (const file of fixtureFiles) {
    it(file, async function () {
      const abs = path.join(FIXTURE_DIR, file);
      const rel = path.relative(REPO_ROOT, abs);
      const text = fs.readFileSync(abs, 'utf8');
      const lines = text.split(/\r?\n/);

      const syntax = await pythonSyntaxProblems(text);
      assert.deepStrictEqual(syntax, [], `${rel} is not valid Python:\n${formatSyntaxProblems(rel, syntax)}`);

      const annotations = parseAnnotations(text);
      assert.deepStrictEqual(annotations.errors, [], `${rel}: bad annotations:\n  ${annotations.errors.join('\n  ')}`);

      const result = analyzer.analyzeText(text, { path: abs });
      assert.strictEqual(result.skipped, undefined, `${rel} was skipped by the analyzer: ${result.skipped}`);

      const registered = registeredCodes();
      const key = (rule: string, line: number) => `${rule}@${line}`;
      const found = new Map<string, Finding[]>();
      for (const f of result.findings) {
        const k = key(f.rule, f.range.start.line);
        found.set(k, [...(found.get(k) ?? []), f]);
      }
      const expected = new Set(annotations.expect.map((a) => key(a.rule, a.line)));

      const problems: Problem[] = [];
      for (const a of annotations.expect) {
        if (found.has(key(a.rule, a.line))) continue;
        if (!isEnforced(a.rule, registered)) {
          pending.set(a.rule, (pending.get(a.rule) ?? 0) + 1);
          continue;
        }
        problems.push({ line: a.line, text: `missing    ${a.rule} expected here, not reported | ${sourceLine(lines, a.line)}` });
      }
      for (const a of annotations.ok) {
        for (const f of found.get(key(a.rule, a.line)) ?? []) {
          problems.push({ line: a.line, text: `false pos. ${describeFinding(f)} on a line marked "# ok: ${a.rule}" | ${sourceLine(lines, a.line)}` });
        }
      }
      const okKeys = new Set(annotations.ok.map((a) => key(a.rule, a.line)));
      for (const f of result.findings) {
        const k = key(f.rule, f.range.start.line);
        if (expected.has(k) || okKeys.has(k)) continue;
        problems.push({ line: f.range.start.line, text: `unexpected ${describeFinding(f)} (no "# expect: ${f.rule}" on this line) | ${sourceLine(lines, f.range.start.line)}` });
      }

      if (problems.length === 0) return;
      problems.sort((a, b) => a.line - b.line);
      const listed = problems.slice(0, MAX_LISTED).map((p) => `  ${location(rel, p.line)}  ${p.text}`);
      if (problems.length > MAX_LISTED) listed.push(`  ... and ${problems.length - MAX_LISTED} more`);
      const hint = registered.size === 0
        ? '\n  (RULES is empty: no rule is registered yet, so every expectation is missing until the rules land.)'
        : '';
      assert.fail(`${rel}: ${problems.length} mismatch(es) with the annotations (${result.findings.length} finding(s) reported)\n${listed.join('\n')}${hint}`);
    });
  }

  describe('the fixture suite itself', function () {
    const all = fixtureFiles.map((file) => ({ file, ann: parseAnnotations(fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) }));

    it('names every file <RULE>_<name>.py after a registered rule', function () {
      const registered = registeredCodes();
      const bad = fixtureFiles.filter((f) => {
        const m = FIXTURE_NAME.exec(f);
        return !m || !(CORE_CODES.includes(m[1]!) || registered.has(m[1]!));
      });
      assert.deepStrictEqual(bad, [], 'expected names like DG101_fastapi.py, named after a registered rule');
    });

    it('uses only rule codes from the catalog (RULES.md)', function () {
      const unknown: string[] = [];
      for (const { file, ann } of all) {
        for (const a of [...ann.expect, ...ann.ok]) {
          if (!CATALOG_CODES.includes(a.rule)) unknown.push(`${file}:${a.line + 1} ${a.rule}`);
        }
      }
      assert.deepStrictEqual(unknown, []);
      // The whole catalog is implemented: an annotation can no longer wait as "pending" for a
      // rule that was dropped from the registry.
      const unregistered = CATALOG_CODES.filter((c) => !registeredCodes().has(c));
      assert.deepStrictEqual(unregistered, [], 'rules of RULES.md missing from the registry (rules/index.ts)');
      const unlisted = [...registeredCodes()].filter((c) => !CATALOG_CODES.includes(c));
      assert.deepStrictEqual(unlisted, [], 'registered rules missing from the catalog list in test/src/helpers/annotations.ts');
    });

    // Every registered rule keeps a minimum of positives and negatives (the foundation rules 8 each
    // across all four frameworks, the others 6 each), so the suite cannot silently shrink.
    // Infrastructure rules need a template beside the code: their floors are kept by infra.test.ts
    // over test/fixtures/infra/<format>/.
    for (const rule of RULES.map((r) => r.meta.code).filter((c) => !INFRA_CODES.includes(c))) {
      const core = CORE_CODES.includes(rule);
      const min = core ? MIN_PER_KIND : MIN_PER_KIND_OTHER;
      it(`${rule}: at least ${min} expect and ${min} ok annotations in its own files${core ? `, across ${FRAMEWORKS.join('/')}` : ''}`, function () {
        const own = all.filter(({ file }) => file.startsWith(`${rule}_`));
        const count = (kind: 'expect' | 'ok') =>
          own.reduce((n, { ann }) => n + ann[kind].filter((a: Annotation) => a.rule === rule).length, 0);
        const expects = count('expect');
        const oks = count('ok');
        assert.ok(expects >= min, `${rule}: only ${expects} "# expect: ${rule}" annotation(s) in ${rule}_*.py`);
        assert.ok(oks >= min, `${rule}: only ${oks} "# ok: ${rule}" annotation(s) in ${rule}_*.py`);
        if (!core) return;
        const missing = FRAMEWORKS.filter((fw) => !own.some(({ file }) => file.includes(fw)));
        assert.deepStrictEqual(missing, [], `${rule}: no fixture file for these frameworks`);
      });
    }
  });
});
