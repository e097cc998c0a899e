// Quick-fix goldens: for each test/fixtures/fixes/<RULE>_<name>.py, apply that rule's fixes until
// none is left and compare with <RULE>_<name>.fixed.py. Then the output must parse, no longer
// trigger the rule, be a fixed point of the same procedure, and keep the input's indentation unit.
//
// Optional directives, as comments at the top of an input:
//   # dg-settings: {"publicFields": ["user_id"]}   settings merged over the defaults
//   # fix-select: owner_id                          pick the first fix whose title or inserted text
//                                                  matches this regex (instead of the preferred one)
//
// Goldens are produced by the implementation and reviewed by a human:
//   UPDATE_GOLDEN=1 npx mocha test/out/fixes.test.js     writes missing goldens
//   UPDATE_GOLDEN=all npx mocha test/out/fixes.test.js   also rewrites goldens that differ

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  Analyzer,
  DEFAULT_SETTINGS,
  RULES,
  applyEdits,
  mergeSettings,
  type AnalyzeOptions,
  type Fix,
} from '../../server/out/analysis';
import { formatSyntaxProblems, pythonSyntaxProblems } from './helpers/pyparse';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIX_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'fixes');
const INPUT_NAME = /^(DG\d{3})_[a-z0-9_]+\.py$/;
// Every rule that declares fixes must have goldens; the foundation rules at least three inputs each.
const FIXABLE = RULES.filter((r) => r.meta.fixable).map((r) => r.meta.code);
const CORE_FIXABLE = ['DG101', 'DG102', 'DG201', 'DG301', 'DG302'];
const MIN_INPUTS_PER_RULE = 3;
const MAX_ROUNDS = 10;
const UPDATE = process.env.UPDATE_GOLDEN ?? '';

const inputs = fs.existsSync(FIX_DIR)
  ? fs.readdirSync(FIX_DIR).filter((f) => INPUT_NAME.test(f) && !f.endsWith('.fixed.py')).sort()
  : [];

interface Directives {
  settingsJson?: string;
  select?: RegExp;
}

function readDirectives(text: string): Directives {
  const out: Directives = {};
  for (const line of text.split(/\r?\n/).slice(0, 5)) {
    const settings = /^#\s*dg-settings:\s*(\{.*\})\s*$/.exec(line);
    if (settings) out.settingsJson = settings[1]!;
    const select = /^#\s*fix-select:\s*(.+?)\s*$/.exec(line);
    if (select) out.select = new RegExp(select[1]!);
  }
  return out;
}

function optionsFor(file: string, directives: Directives): AnalyzeOptions {
  if (!directives.settingsJson) return { path: file };
  const warnings: string[] = [];
  const settings = mergeSettings(DEFAULT_SETTINGS, JSON.parse(directives.settingsJson) as Record<string, unknown>, 'dg-settings', warnings);
  assert.deepStrictEqual(warnings, [], `${path.basename(file)}: bad dg-settings directive`);
  return { path: file, settings };
}

function chooseFix(fixes: Fix[], select: RegExp | undefined): Fix | undefined {
  if (!select) return fixes.find((f) => f.isPreferred) ?? fixes[0];
  return fixes.find((f) => select.test(f.title) || f.edits.some((e) => select.test(e.newText)));
}

interface FixRun {
  text: string;
  /** `line: title` of every fix applied, in order. */
  applied: string[];
  problems: string[];
}

/** Analyse, apply the chosen fix of the first finding of `rule` that has one; repeat. */
function applyRuleFixes(analyzer: Analyzer, text: string, rule: string, options: AnalyzeOptions, select: RegExp | undefined): FixRun {
  const run: FixRun = { text, applied: [], problems: [] };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const finding = analyzer.analyzeText(run.text, options).findings.find((f) => f.rule === rule && f.fixes.length > 0);
    if (!finding) return run;
    const fix = chooseFix(finding.fixes, select);
    const at = `line ${finding.range.start.line + 1}`;
    if (!fix) {
      run.problems.push(`${at}: no fix matches /${select?.source}/ among: ${finding.fixes.map((f) => JSON.stringify(f.title)).join(', ')}`);
      return run;
    }
    const next = applyEdits(run.text, fix.edits);
    if (next === run.text) {
      run.problems.push(`${at}: fix "${fix.title}" changes nothing but the finding remains`);
      return run;
    }
    run.text = next;
    run.applied.push(`${at}: ${fix.title}`);
  }
  const left = analyzer.analyzeText(run.text, options).findings.filter((f) => f.rule === rule && f.fixes.length > 0);
  if (left.length > 0) run.problems.push(`still ${left.length} fixable ${rule} finding(s) after ${MAX_ROUNDS} rounds (a fix that never converges?)`);
  return run;
}

/** The unit one block level adds in this file: a tab or N spaces (from the first `:` block). */
function indentUnit(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i]!.replace(/#.*$/, '').trimEnd();
    if (!code.endsWith(':')) continue;
    const own = /^[ \t]*/.exec(lines[i]!)![0];
    const next = lines.slice(i + 1).find((l) => l.trim() !== '');
    if (next === undefined) continue;
    const inner = /^[ \t]*/.exec(next)![0];
    if (inner.length > own.length && inner.startsWith(own)) return inner.slice(own.length);
  }
  return undefined;
}

/** Output lines that are not in the input (as a multiset), with 0-based output line numbers. */
function addedLines(before: string, after: string): Array<{ line: number; text: string }> {
  const pool = new Map<string, number>();
  for (const l of before.split(/\r?\n/)) pool.set(l, (pool.get(l) ?? 0) + 1);
  const added: Array<{ line: number; text: string }> = [];
  after.split(/\r?\n/).forEach((text, line) => {
    const n = pool.get(text) ?? 0;
    if (n > 0) pool.set(text, n - 1);
    else added.push({ line, text });
  });
  return added;
}

function indentationProblems(input: string, output: string): string[] {
  const unit = indentUnit(input);
  if (unit === undefined) return [];
  const label = unit === '\t' ? 'tabs' : `${unit.length} spaces`;
  const problems: string[] = [];
  for (const { line, text } of addedLines(input, output)) {
    if (text.trim() === '') continue;
    const lead = /^[ \t]*/.exec(text)![0];
    const ok = unit === '\t' ? !lead.includes(' ') : !lead.includes('\t') && lead.length % unit.length === 0;
    if (!ok) problems.push(`line ${line + 1}: indentation ${JSON.stringify(lead)} does not use the file's unit (${label}): ${text.trim()}`);
  }
  return problems;
}

/** A short line diff: the first differing region with a little context. */
function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  let je = e.length - 1;
  let ja = a.length - 1;
  while (je >= i && ja >= i && e[je] === a[ja]) {
    je--;
    ja--;
  }
  const from = Math.max(0, i - 2);
  const out = [`@@ first difference at line ${i + 1} @@`];
  for (let k = from; k < i; k++) out.push(`  ${e[k]}`);
  for (let k = i; k <= je && k < i + 15; k++) out.push(`- ${e[k]}`);
  for (let k = i; k <= ja && k < i + 15; k++) out.push(`+ ${a[k]}`);
  return out.join('\n');
}

describe('quick fixes (test/fixtures/fixes)', function () {
  let analyzer: Analyzer;

  before(async function () {
    analyzer = await Analyzer.create();
  });

  it(`has at least ${MIN_INPUTS_PER_RULE} inputs for each fixable rule`, function () {
    // DG406/DG601 fixes need a template beside the code: infra.test.ts applies them on test/fixtures/infra.
    const short = FIXABLE.filter((rule) => rule !== 'DG406' && rule !== 'DG601').filter((rule) => inputs.filter((f) => f.startsWith(`${rule}_`)).length < (CORE_FIXABLE.includes(rule) ? MIN_INPUTS_PER_RULE : 1));
    assert.deepStrictEqual(short, [], `rules with fewer than ${MIN_INPUTS_PER_RULE} inputs in ${FIX_DIR}`);
    const stray = inputs.filter((f) => !FIXABLE.includes(f.slice(0, 5)));
    assert.deepStrictEqual(stray, [], 'inputs for a rule without quick fixes');
  });

  it('has an input for every golden', function () {
    const goldens = fs.existsSync(FIX_DIR) ? fs.readdirSync(FIX_DIR).filter((f) => f.endsWith('.fixed.py')) : [];
    const orphans = goldens.filter((g) => !inputs.includes(g.replace(/\.fixed\.py$/, '.py')));
    assert.deepStrictEqual(orphans, [], 'goldens whose input was renamed or removed');
  });

  for (const file of inputs) {
    const rule = file.slice(0, 5);

    it(`${file}: ${rule} fixes reach the golden, parse, clear the rule, are idempotent and keep indentation`, async function () {
      const inputPath = path.join(FIX_DIR, file);
      const goldenPath = inputPath.replace(/\.py$/, '.fixed.py');
      const goldenRel = path.relative(REPO_ROOT, goldenPath);
      const input = fs.readFileSync(inputPath, 'utf8');
      const directives = readDirectives(input);
      const options = optionsFor(inputPath, directives);

      const inputSyntax = await pythonSyntaxProblems(input);
      assert.deepStrictEqual(inputSyntax, [], `the input itself is not valid Python:\n${formatSyntaxProblems(file, inputSyntax)}`);

      const run = applyRuleFixes(analyzer, input, rule, options, directives.select);
      if (run.applied.length === 0 && run.problems.length === 0) {
        const seen = analyzer.analyzeText(input, options).findings;
        const ofRule = seen.filter((f) => f.rule === rule);
        const why = RULES.length === 0
          ? 'RULES is empty: no rule is registered yet'
          : ofRule.length === 0
            ? `${rule} does not fire on the input (findings: ${seen.map((f) => `${f.rule}@${f.range.start.line + 1}`).join(', ') || 'none'})`
            : `${rule} fires ${ofRule.length}x but offers no fix`;
        assert.fail(`${file}: no ${rule} fix was applied (${why})`);
      }

      const problems = [...run.problems];
      const output = run.text;

      if (fs.existsSync(goldenPath)) {
        const golden = fs.readFileSync(goldenPath, 'utf8');
        if (golden !== output) {
          if (UPDATE === 'all') fs.writeFileSync(goldenPath, output);
          else problems.push(`output differs from ${goldenRel} (rerun with UPDATE_GOLDEN=all to accept it, then review the diff)\n${firstDifference(golden, output)}`);
        }
      } else if (UPDATE === '1' || UPDATE === 'all') {
        fs.writeFileSync(goldenPath, output);
      } else {
        problems.push(`golden ${goldenRel} is missing: run \`UPDATE_GOLDEN=1 npx mocha test/out/fixes.test.js\` and review it`);
      }

      const syntax = await pythonSyntaxProblems(output);
      if (syntax.length > 0) problems.push(`the fixed text is not valid Python:\n${formatSyntaxProblems(`${file} (fixed)`, syntax)}`);

      const remaining = analyzer.analyzeText(output, options).findings.filter((f) => f.rule === rule);
      for (const f of remaining) problems.push(`${rule} still fires after the fixes at line ${f.range.start.line + 1}: ${f.message}`);

      const again = applyRuleFixes(analyzer, output, rule, options, directives.select);
      if (again.text !== output) problems.push(`not idempotent: applying ${rule} fixes again changes the text\n${firstDifference(output, again.text)}`);

      problems.push(...indentationProblems(input, output));

      if (problems.length > 0) {
        assert.fail(`${file}: ${problems.length} problem(s); fixes applied: [${run.applied.join('; ')}]\n- ${problems.join('\n- ')}`);
      }
    });
  }
});
