// Infrastructure-aware analysis on the fixture services of test/fixtures/infra/<format>/: the
// annotated expectations (Python `# expect:`, YAML/HCL end-of-line `# expect:`, a sidecar
// `<file>.expect.json` for JSON templates), the quick fixes, the computed least-privilege policy
// evaluated against every call the code makes. The other infrastructure tests (readers, engine,
// rule specifics) are in infraAnalysis.test.ts, the editor and the CLI in infraTools.test.ts.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer, applyEdits, type Finding } from '../../server/out/analysis';
import { readInfra } from '../../server/out/analysis/infra/discover';
import type { InfraModel, PolicyStatement } from '../../server/out/analysis/infra/model';
import { evaluate, leastPrivilege } from '../../server/out/analysis/infra/policy';
import { analyzeFunctions, serviceWorkspace, type FunctionAnalysis } from '../../server/out/analysis/infra/project';
import { classifyResource } from '../../server/out/analysis/infra/resources';
import { templateFindings } from '../../server/out/analysis/infra/service';
import { parseAnnotations } from './helpers/annotations';
import { REPO_ROOT } from './helpers/cliTree';
import { INFRA_DIR } from './helpers/infra';

const FORMATS = ['sam', 'sam-layered', 'cloudformation-json', 'cloudformation-rest', 'serverless', 'terraform', 'cdk'];
/** Rules whose expectations these fixtures state; other rules' findings are the rule fixtures' business. */
const CHECKED = ['DG102', 'DG406', 'DG407', 'DG601', 'DG602'];
const FLOOR = 6;
const DYNAMO_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DescribeTable', 'PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'DeleteTable', 'UpdateTable'].map((a) => `dynamodb:${a}`);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out.sort();
}

interface Expectations {
  expect: Set<string>;
  ok: Set<string>;
}

/** `rule@file:line` (1-based) keys of every annotation of a project. */
function expectations(project: string): Expectations {
  const out: Expectations = { expect: new Set(), ok: new Set() };
  for (const file of walk(project)) {
    if (file.endsWith('.expect.json')) {
      const side = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<'expect' | 'ok', Record<string, number[]>>;
      const target = file.replace(/\.expect\.json$/, '');
      for (const kind of ['expect', 'ok'] as const) {
        for (const [rule, lines] of Object.entries(side[kind] ?? {})) for (const l of lines) out[kind].add(`${rule}@${target}:${l}`);
      }
      continue;
    }
    if (!/\.(py|ya?ml|tf)$/.test(file)) continue;
    const ann = parseAnnotations(fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual(ann.errors, [], `${file}: bad annotations`);
    for (const a of ann.expect) out.expect.add(`${a.rule}@${file}:${a.line + 1}`);
    for (const a of ann.ok) out.ok.add(`${a.rule}@${file}:${a.line + 1}`);
  }
  return out;
}

/** Computed statements back into the model's shape, so the same evaluator judges them. */
function asStatements(model: InfraModel, computed: ReturnType<typeof leastPrivilege>): PolicyStatement[] {
  const text = (r: unknown): string => {
    if (typeof r === 'string') {
      // CDK writes `recipes.table_arn` / f"{recipes.table_arn}/index/x": map the variable to the table id.
      const cdk = model.tables.find((t) => t.format === 'cdk' && r.includes(String(t.arnRef)));
      return cdk ? r.replace(/^f"\{[\w.]+\}(.*)"$|^[\w.]+$/, (_m, rest: string | undefined) => `\${${cdk.id}}${rest ?? ''}`) : r;
    }
    const o = r as Record<string, unknown>;
    if (Array.isArray(o['Fn::GetAtt'])) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
    return String(o['Fn::Sub']);
  };
  const loc = { file: '', line: 0, column: 0, endLine: 0, endColumn: 0 };
  return computed.map((s) => ({
    effect: 'Allow' as const,
    actions: s.Action.map((a) => a.toLowerCase()),
    resources: s.Resource.map((r) => classifyResource(text(r), model.tables)),
    loc,
    syntax: 'json' as const,
  }));
}

describe('infrastructure code (test/fixtures/infra)', function () {
  this.timeout(60000);
  let analyzer: Analyzer;
  const found = new Map<string, Finding & { file: string }>();
  const all: Expectations = { expect: new Set(), ok: new Set() };

  before(async function () {
    analyzer = await Analyzer.create();
  });

  for (const format of FORMATS) {
    const project = path.join(INFRA_DIR, format);
    describe(format, function () {
      let model: InfraModel;
      let analyses: FunctionAnalysis[];

      before(function () {
        model = readInfra(project);
        analyses = analyzeFunctions(model, project, analyzer);
      });

      it('reads tables with keys and indexes, functions with handlers, env bindings, routes and policies, without errors', function () {
        assert.deepStrictEqual(model.errors, []);
        assert.ok(model.tables.length >= 1 && model.tables.every((t) => t.keys), 'every table has a key schema');
        assert.ok(model.tables.some((t) => t.indexes.length > 0), 'a secondary index');
        assert.ok(model.functions.length >= 2);
        for (const fn of model.functions) {
          assert.ok(fn.functionName && fn.module, `${fn.id}: handler`);
          assert.ok(Object.values(fn.env).some((e) => e.table), `${fn.id}: an environment variable bound to a table`);
          assert.ok(fn.policies.length > 0 && fn.policiesKnown, `${fn.id}: readable policies`);
        }
        assert.ok(analyses.every((a) => a.file), `handler files: ${analyses.filter((a) => !a.file).map((a) => a.fn.id)}`);
      });

      it('reports exactly the annotated DG102/DG406/DG407/DG601/DG602 findings', function () {
        const ex = expectations(project);
        for (const k of ex.expect) all.expect.add(k);
        for (const k of ex.ok) all.ok.add(k);
        const pyFiles = walk(project).filter((f) => f.endsWith('.py'));
        const keys = new Set<string>();
        // As the CLI and the editor analyse a file: with the workspace, so layers are followed.
        const workspace = serviceWorkspace(model, project, analyzer);
        for (const file of pyFiles) {
          for (const f of analyzer.analyzeText(fs.readFileSync(file, 'utf8'), { path: file, workspace }).findings) {
            if (!CHECKED.includes(f.rule)) continue;
            const k = `${f.rule}@${file}:${f.range.start.line + 1}`;
            keys.add(k);
            found.set(k, { ...f, file });
          }
        }
        for (const t of templateFindings(pyFiles, analyzer)) {
          const k = `${t.finding.rule}@${path.resolve(t.file)}:${t.finding.range.start.line + 1}`;
          keys.add(k);
          found.set(k, { ...t.finding, file: path.resolve(t.file) });
        }
        const rel = (k: string) => k.replace(`${REPO_ROOT}/`, '');
        assert.deepStrictEqual([...ex.expect].filter((k) => !keys.has(k)).map(rel), [], 'expected, not reported');
        assert.deepStrictEqual([...keys].filter((k) => ex.ok.has(k)).map(rel), [], 'reported on a line marked ok');
        assert.deepStrictEqual([...keys].filter((k) => !ex.expect.has(k)).map(rel), [], 'reported, not annotated');
      });

      it('computes, per function, a policy that allows every call its code makes and nothing else on DynamoDB', function () {
        for (const a of analyses) {
          assert.deepStrictEqual(a.unresolved, [], `${a.fn.id}: calls whose table is unknown`);
          const statements = asStatements(model, leastPrivilege(a.needs, model));
          for (const n of a.needs) assert.strictEqual(evaluate(statements, n.action, n.table, n.index), 'allow', `${a.fn.id}: ${n.action} on ${n.table} ${n.index ?? ''}`);
          for (const t of model.tables) {
            for (const index of [undefined, ...t.indexes.map((i) => i.name)]) {
              for (const action of DYNAMO_ACTIONS) {
                const needed = a.needs.some((n) => n.action === action && n.table === t.id && n.index === index);
                if (!needed) assert.strictEqual(evaluate(statements, action, t.id, index), 'deny', `${a.fn.id}: ${action} on ${t.id} ${index ?? ''} is not needed`);
              }
            }
          }
        }
      });

      it('DG601 fixes replace the statement: the template still reads, the finding is gone, the code keeps its permissions', function () {
        const pyFiles = walk(project).filter((f) => f.endsWith('.py'));
        const withFix = templateFindings(pyFiles, analyzer).filter((t) => t.finding.fixes.length > 0);
        for (const t of withFix) {
          const copy = fs.mkdtempSync(path.join(os.tmpdir(), `dg-infra-${format}-`));
          try {
            fs.cpSync(project, copy, { recursive: true });
            const target = path.join(copy, path.relative(project, path.resolve(t.file)));
            fs.writeFileSync(target, applyEdits(fs.readFileSync(target, 'utf8'), t.finding.fixes[0]!.edits));
            const fixed = readInfra(copy);
            assert.deepStrictEqual(fixed.errors, [], `${format}: the fixed template reads`);
            const after = templateFindings(walk(copy).filter((f) => f.endsWith('.py')), analyzer);
            assert.ok(!after.some((x) => x.file === target && x.finding.range.start.line === t.finding.range.start.line), `${format}: DG601 still reported after its fix`);
            const before = new Map(analyses.map((a) => [a.fn.id, a]));
            for (const a of analyzeFunctions(fixed, copy, analyzer)) {
              for (const n of a.needs) {
                const was = evaluate(before.get(a.fn.id)!.fn.policies, n.action, n.table, n.index);
                if (was === 'allow') assert.strictEqual(evaluate(a.fn.policies, n.action, n.table, n.index), 'allow', `${format}: ${a.fn.id} lost ${n.action}`);
              }
            }
          } finally {
            fs.rmSync(copy, { recursive: true, force: true });
          }
        }
      });
    });
  }

  describe('floors', function () {
    it(`keeps at least ${FLOOR} expect and ${FLOOR} ok annotations per infrastructure rule`, function () {
      for (const rule of ['DG406', 'DG407', 'DG601', 'DG602']) {
        const count = (s: Set<string>) => [...s].filter((k) => k.startsWith(`${rule}@`)).length;
        assert.ok(count(all.expect) >= FLOOR, `${rule}: ${count(all.expect)} expect`);
        assert.ok(count(all.ok) >= FLOOR, `${rule}: ${count(all.ok)} ok`);
      }
    });
  });
});
