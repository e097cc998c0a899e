// Infrastructure-aware analysis on the fixture services of test/fixtures/infra/<format>/: the
// annotated expectations (Python `# expect:`, YAML/HCL end-of-line `# expect:`, a sidecar
// `<file>.expect.json` for JSON templates), the quick fixes, the computed least-privilege policy
// evaluated against every call the code makes, the readers on malformed input, and the CLI.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer, applyEdits, type Finding } from '../../server/out/analysis';
import { readInfra } from '../../server/out/analysis/infra/discover';
import { emptyModel, type InfraModel, type PolicyStatement } from '../../server/out/analysis/infra/model';
import { evaluate, leastPrivilege } from '../../server/out/analysis/infra/policy';
import { analyzeFunctions, serviceWorkspace, type FunctionAnalysis } from '../../server/out/analysis/infra/project';
import { infraValuesFor } from '../../server/out/analysis/infra/engineValues';
import { computeFacts } from '../../server/out/analysis/model/engine';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import { classifyResource } from '../../server/out/analysis/infra/resources';
import { templateFindings } from '../../server/out/analysis/infra/service';
import { parseAnnotations } from './helpers/annotations';
import { REPO_ROOT, runCli } from './helpers/cliTree';
import { fileUri, LspClient } from './helpers/lspClient';

const INFRA_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'infra');
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

  it('DG406 renames a key to the schema\'s attribute when unambiguous', function () {
    const file = path.join(INFRA_DIR, 'serverless', 'handlers', 'customers.py');
    const text = fs.readFileSync(file, 'utf8');
    const finding = analyzer.analyzeText(text, { path: file }).findings.find((f) => f.rule === 'DG406');
    assert.ok(finding && finding.fixes.length === 1 && !finding.fixes[0]!.safe);
    const fixed = applyEdits(text, finding.fixes[0]!.edits);
    assert.ok(fixed.includes('Key={"customer_id": customer_id}, ProjectionExpression="display_name"'));
    assert.ok(!analyzer.analyzeText(fixed, { path: file }).findings.some((f) => f.rule === 'DG406'));
  });

  it('DG301\'s condition fix names the partition key the template declares', function () {
    // An unsaved buffer beside the SAM service: `Key=` lists the sort key first.
    const file = path.join(INFRA_DIR, 'sam', 'src', 'unsaved_probe.py');
    const text = 'import os\nimport boto3\n\nloans = boto3.resource("dynamodb").Table(os.environ["LOANS_TABLE"])\n\n\ndef renew(event, context):\n    loan_id = event["pathParameters"]["loan_id"]\n    member = event["pathParameters"]["member"]\n    loans.update_item(Key={"loan_id": loan_id, "member_id": member}, UpdateExpression="SET renewed = :t", ExpressionAttributeValues={":t": True})\n';
    const f = analyzer.analyzeText(text, { path: file }).findings.find((x) => x.rule === 'DG301');
    assert.ok(f, 'DG301 reported');
    assert.ok(f.fixes.some((x) => x.edits.some((e) => e.newText.includes('attribute_exists(member_id)'))), JSON.stringify(f.fixes.map((x) => x.edits.map((e) => e.newText))));
  });

  it('follows a handler into the other modules of the service; stays silent only on a call it cannot follow', function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-infra-layer-'));
    try {
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'template.yaml'), [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Items:',
        '    Type: AWS::DynamoDB::Table',
        '    Properties:',
        '      KeySchema: [{AttributeName: pk, KeyType: HASH}]',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: python3.12',
        '      CodeUri: src/',
        '      Handler: app.handler',
        '      Environment: {Variables: {ITEMS: !Ref Items}}',
        '      Policies:',
        '        - Statement: [{Effect: Allow, Action: "dynamodb:*", Resource: "*"}]',
        '',
      ].join('\n'));
      fs.writeFileSync(path.join(root, 'src', 'app.py'), 'from repo import save\n\n\ndef handler(event, context):\n    return save(event["body"])\n');
      fs.writeFileSync(path.join(root, 'src', 'repo.py'), 'import os\nimport boto3\n\nitems = boto3.resource("dynamodb").Table(os.environ["ITEMS"])\n\n\ndef save(body):\n    items.put_item(Item={"pk": body})\n');
      const [a] = analyzeFunctions(readInfra(root), root, analyzer);
      assert.deepStrictEqual(a!.unresolved, []);
      assert.deepStrictEqual(a!.needs.map((n) => `${n.action} ${n.table} ${path.basename(n.file)}:${n.line + 1}`), ['dynamodb:PutItem Items repo.py:8']);
      const [t] = templateFindings([path.join(root, 'src', 'app.py')], analyzer);
      assert.match(t!.finding.message, /needs only: dynamodb:PutItem on `Items`/);
      // A module the engine cannot read (a syntax error) leaves the function unjudged: no DG601.
      fs.writeFileSync(path.join(root, 'src', 'repo.py'), 'def save(body:\n');
      const [b] = analyzeFunctions(readInfra(root), root, analyzer);
      assert.match(b!.unresolved.join('\n'), /calls `repo\.save` from another module/);
      assert.deepStrictEqual(templateFindings([path.join(root, 'src', 'app.py')], analyzer), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads plain CloudFormation routes: ApiGateway::Method on its Resource path, ApiGatewayV2::Route through its Integration', function () {
    const model = readInfra(path.join(INFRA_DIR, 'cloudformation-rest'));
    const routes = Object.fromEntries(model.functions.map((f) => [f.id, f.routes.map((r) => `${r.method} ${r.path} ${r.authorizer ?? 'open'}`)]));
    assert.deepStrictEqual(routes, {
      TrackFunction: ['GET /parcels/{parcel_id} TenantsAuthorizer'],
      RegisterFunction: ['POST /parcels JwtAuthorizer'],
      SenderFunction: ['GET /senders/{sender_id}/parcels open'],
    });
  });

  it('DG102 names the route the template leaves open while others have an authorizer', function () {
    const file = path.join(INFRA_DIR, 'serverless', 'handlers', 'customers.py');
    const f = analyzer.analyzeText(fs.readFileSync(file, 'utf8'), { path: file }).findings.find((x) => x.rule === 'DG102');
    assert.ok(f, 'DG102 reported');
    assert.match(f.message, /route GET \/customers\/\{id\} has no authorizer in serverless\.yml:\d+, while other routes there have one/);
    const rel = f.related.find((r) => /declared here without an authorizer/.test(r.message));
    assert.strictEqual(rel?.path, path.join(INFRA_DIR, 'serverless', 'serverless.yml'));
    assert.match(f.message, new RegExp(`serverless\\.yml:${rel.range.start.line + 1},`));
    // A service whose routes are all open (or all guarded) keeps the ordinary message.
    const rest = path.join(INFRA_DIR, 'cloudformation-rest', 'functions', 'parcels.py');
    const g = analyzer.analyzeText(fs.readFileSync(rest, 'utf8'), { path: rest }).findings.find((x) => x.rule === 'DG102');
    assert.match(g!.message, /route GET \/senders\/\{sender_id\}\/parcels has no authorizer in template\.yaml:\d+/);
  });

  it('env-bound table names feed the engine: a table of db.py named in config.py carries the template\'s table and keys into every module', function () {
    const project = path.join(INFRA_DIR, 'sam-layered');
    const repo = path.join(project, 'src', 'common', 'repository.py');
    assert.strictEqual(infraValuesFor(repo).envTables.get('SHOP_ORDERS_TABLE'), 'ShopOrdersTable');
    const workspace = serviceWorkspace(readInfra(project), project, analyzer);
    const doc = analyzer.createDocument(fs.readFileSync(repo, 'utf8'));
    try {
      const facts = computeFacts(doc, DEFAULT_SETTINGS, workspace, repo);
      const get = facts.functions.find((f) => f.fn.name === 'find_order')!.calls[0]!;
      assert.strictEqual(get.tableName, 'ShopOrdersTable');
      assert.deepStrictEqual(facts.keySchema('ShopOrdersTable'), ['customer_id', 'order_no']);
      assert.deepStrictEqual(get.keys.filter((k) => k.partition).map((k) => k.attr), ['customer_id']);
    } finally {
      doc.dispose();
    }
    // DG301's condition fix, in an unsaved module importing the table from db.py, names the real keys.
    const probe = path.join(project, 'src', 'common', 'unsaved_probe.py');
    const text = 'from common.db import orders\n\n\ndef mark_paid(event, context):\n    no = event["pathParameters"]["order_no"]\n    who = event["pathParameters"]["customer"]\n    orders.update_item(Key={"order_no": no, "customer_id": who}, UpdateExpression="SET paid = :t", ExpressionAttributeValues={":t": True})\n';
    const f = analyzer.analyzeText(text, { path: probe, workspace }).findings.find((x) => x.rule === 'DG301');
    assert.ok(f, 'DG301 reported');
    assert.ok(f.fixes.some((x) => x.edits.some((e) => e.newText.includes('attribute_exists(customer_id)'))), JSON.stringify(f.fixes.map((x) => x.edits.map((e) => e.newText))));
  });

  it('serverless.yml: ${file(...)} reads the referenced file by key; ${ssm:}/${cf:} stay opaque, well-formed references', function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-infra-sls-'));
    try {
      fs.mkdirSync(path.join(root, 'config'));
      fs.writeFileSync(path.join(root, 'config', 'dev.yml'), 'tables:\n  events: shop-events-dev\n');
      fs.writeFileSync(path.join(root, 'config', 'env.json'), '{"REPORTS_TABLE": "${cf:reporting-${sls:stage}.ReportsTableName}"}');
      fs.writeFileSync(path.join(root, 'serverless.yml'), [
        'service: shop',
        'provider:',
        '  name: aws',
        '  runtime: python3.12',
        '  stage: dev',
        '  iam:',
        '    role:',
        '      statements:',
        '        - Effect: Allow',
        '          Action: [dynamodb:PutItem]',
        '          Resource: arn:aws:dynamodb:${aws:region}:*:table/${ssm:/shop/${sls:stage}/audit-table, \'x\'}',
        'custom: ${file(./config/${sls:stage}.yml)}',
        'functions:',
        '  record:',
        '    handler: app.record',
        '    environment:',
        '      AUDIT_TABLE: ${ssm:/shop/${sls:stage}/audit-table}',
        '      EVENTS_TABLE: ${self:custom.tables.events}',
        '      OTHER: ${file(./config/env.json):REPORTS_TABLE}',
        'resources:',
        '  Resources:',
        '    AuditTable:',
        '      Type: AWS::DynamoDB::Table',
        '      Properties:',
        '        TableName: ${ssm:/shop/dev/audit-table}',
        '        KeySchema: [{AttributeName: pk, KeyType: HASH}]',
        '    EventsTable:',
        '      Type: AWS::DynamoDB::Table',
        '      Properties:',
        '        TableName: ${file(./config/dev.yml):tables.events}',
        '        KeySchema: [{AttributeName: id, KeyType: HASH}]',
        '',
      ].join('\n'));
      const model = readInfra(root);
      assert.deepStrictEqual(model.errors, []);
      assert.deepStrictEqual(model.tables.map((t) => [t.id, t.name]), [['AuditTable', '${ssm:/shop/dev/audit-table}'], ['EventsTable', 'shop-events-dev']]);
      const env = model.functions[0]!.env;
      assert.deepStrictEqual(env['AUDIT_TABLE'], { table: 'AuditTable', value: '${ssm:/shop/dev/audit-table}' });
      assert.deepStrictEqual(env['EVENTS_TABLE'], { table: 'EventsTable', value: 'shop-events-dev' });
      assert.deepStrictEqual(env['OTHER'], { value: '${cf:reporting-dev.ReportsTableName}' });
      const [st] = model.functions[0]!.policies;
      assert.deepStrictEqual(st!.resources.map((r) => r.table), ['AuditTable']);
      assert.strictEqual(evaluate(model.functions[0]!.policies, 'dynamodb:PutItem', 'AuditTable'), 'allow');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('readers turn malformed input into error entries, never exceptions', function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-infra-bad-'));
    try {
      fs.writeFileSync(path.join(root, 'template.yaml'), 'Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: [unclosed\n  : : :\n');
      fs.writeFileSync(path.join(root, 'stack.template.json'), '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"T": {"Type": "AWS::DynamoDB::Table", ');
      fs.writeFileSync(path.join(root, 'main.tf'), 'resource "aws_dynamodb_table" "t" {\n  hash_key = \n  global_secondary_index {\n');
      fs.writeFileSync(path.join(root, 'serverless.yml'), 'functions:\n  a:\n    handler: !Ref\n    events: {{{{\n');
      fs.writeFileSync(path.join(root, 'cdk.json'), '{}');
      fs.writeFileSync(path.join(root, 'app.py'), 'import aws_cdk\nfrom aws_cdk import aws_dynamodb as dynamodb\nt = dynamodb.Table(self, partition_key=dynamodb.Attribute(\n');
      fs.writeFileSync(path.join(root, 'deep.yaml'), `AWSTemplateFormatVersion: x\nResources: ${'['.repeat(5000)}`);
      const model = readInfra(root);
      assert.ok(model.errors.length >= 3, JSON.stringify(model.errors));
      assert.deepStrictEqual(emptyModel().errors, []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('floors', function () {
    it(`keeps at least ${FLOOR} expect and ${FLOOR} ok annotations per infrastructure rule`, function () {
      for (const rule of ['DG406', 'DG407', 'DG601', 'DG602']) {
        const count = (s: Set<string>) => [...s].filter((k) => k.startsWith(`${rule}@`)).length;
        assert.ok(count(all.expect) >= FLOOR, `${rule}: ${count(all.expect)} expect`);
        assert.ok(count(all.ok) >= FLOOR, `${rule}: ${count(all.ok)} ok`);
      }
    });
  });

  describe('language server', function () {
    it('publishes DG601 on the statements of a template opened in the editor', async function () {
      const client = await LspClient.start({ folders: [path.join(INFRA_DIR, 'sam')] });
      try {
        const template = path.join(INFRA_DIR, 'sam', 'template.yaml');
        const uri = fileUri(template);
        client.open(uri, fs.readFileSync(template, 'utf8'), 'yaml');
        const published = await client.waitFor<{ uri: string; diagnostics: Array<{ code?: string; range: { start: { line: number } } }> }>('textDocument/publishDiagnostics', (p) => p.uri === uri, { timeoutMs: 20000 });
        assert.deepStrictEqual(published.diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}`), ['DG601@71', 'DG601@109', 'DG601@144']);
        const first = published.diagnostics[0]!;
        const actions = (await client.codeActions(uri, first.range as never, [first as never])) ?? [];
        const fix = actions.find((a) => 'edit' in a && a.edit) as { title: string; edit: { changes: Record<string, Array<{ newText: string }>> } } | undefined;
        assert.ok(fix, 'a quick fix replacing the statement');
        assert.match(fix.edit.changes[uri]![0]!.newText, /dynamodb:Query[\s\S]*!GetAtt LoansTable\.Arn/);
      } finally {
        await client.stop();
      }
    });
  });

  describe('language server: unsaved template edits', function () {
    it('analyses with the open template\'s text and re-analyses the service\'s open Python files when it changes', async function () {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-infra-lsp-'));
      fs.cpSync(path.join(INFRA_DIR, 'sam-layered'), copy, { recursive: true });
      const client = await LspClient.start({ folders: [copy] });
      try {
        const template = path.join(copy, 'template.yaml');
        const repo = path.join(copy, 'src', 'common', 'repository.py');
        const repoUri = fileUri(repo);
        // Pulled (the test client announces pull diagnostics); polled until the re-analysis lands.
        const dg406 = async () => (await client.diagnostics(repoUri)).filter((d) => d.code === 'DG406').map((d) => d.range.start.line + 1);
        const until = async (want: number[]) => {
          let got: number[] = [];
          for (let i = 0; i < 100; i++) {
            got = await dg406();
            if (JSON.stringify(got) === JSON.stringify(want)) return got;
            await new Promise((r) => setTimeout(r, 200));
          }
          return got;
        };
        client.open(repoUri, fs.readFileSync(repo, 'utf8'));
        assert.deepStrictEqual(await until([32, 36]), [32, 36]);
        // The customers table's key renamed in the editor, not saved: `Key={"id": ...}` is now right.
        const text = fs.readFileSync(template, 'utf8');
        const uri = fileUri(template);
        client.open(uri, text, 'yaml');
        const at = text.indexOf('AttributeName: customer_id\n          KeyType: HASH\n\n  ShopApi');
        assert.ok(at > 0);
        const lines = text.slice(0, at).split('\n');
        const start = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
        client.change(uri, [{ range: { start, end: { line: start.line, character: start.character + 'AttributeName: customer_id'.length } }, text: 'AttributeName: id' }]);
        assert.deepStrictEqual(await until([32, 41]), [32, 41]);
        assert.strictEqual(fs.readFileSync(template, 'utf8'), text, 'the template on disk is untouched');
        // Closing the template without saving: the disk's schema again.
        client.close(uri);
        assert.deepStrictEqual(await until([32, 36]), [32, 36]);
      } finally {
        await client.stop();
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  });

  describe('CLI', function () {
    it('scan reports DG601 at the template\'s path and line', async function () {
      const r = await runCli(['scan', 'test/fixtures/infra/sam', 'test/fixtures/infra/terraform', '--format', 'json', '--select', 'DG601'], REPO_ROOT);
      const report = JSON.parse(r.stdout) as { findings: Array<{ path: string; line: number; rule: string; fixes: unknown[] }> };
      const at = report.findings.map((f) => `${f.path}:${f.line}`);
      assert.deepStrictEqual(at, ['test/fixtures/infra/sam/template.yaml:71', 'test/fixtures/infra/sam/template.yaml:109', 'test/fixtures/infra/sam/template.yaml:144', 'test/fixtures/infra/terraform/main.tf:79', 'test/fixtures/infra/terraform/main.tf:96']);
      assert.strictEqual(r.code, 1);
    });

    it('iam prints the least-privilege policy per function with the template\'s own references', async function () {
      const r = await runCli(['iam', 'test/fixtures/infra/sam', 'test/fixtures/infra/terraform', '--format', 'json'], REPO_ROOT);
      assert.strictEqual(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { services: Array<{ functions: Array<{ function: string; policy: { Statement: Array<{ Action: string[]; Resource: unknown[]; Condition?: unknown }> } }> }> };
      const fns = new Map(out.services.flatMap((s) => s.functions).map((f) => [f.function, f.policy.Statement]));
      assert.deepStrictEqual(fns.get('ReturnFunction'), [{ Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': ['LoansTable', 'Arn'] }] }]);
      assert.deepStrictEqual(fns.get('DueFunction'), [{ Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [{ 'Fn::Sub': '${LoansTable.Arn}/index/by_isbn' }] }]);
      const list = fns.get('aws_lambda_function.list_notes')!;
      assert.deepStrictEqual(list.map((s) => [s.Action, s.Resource]), [
        [['dynamodb:GetItem', 'dynamodb:Query'], ['${aws_dynamodb_table.notes.arn}']],
        [['dynamodb:Query'], ['${aws_dynamodb_table.notes.arn}/index/by_tag', '${aws_dynamodb_table.notes.arn}/index/by_updated']],
      ]);
      // list_notes keys every query by the caller except the tag index: no LeadingKeys condition.
      assert.ok(list.every((s) => s.Condition === undefined));
      // Every key the tickets handler uses is the authorizer's tenant: LeadingKeys is proven there only.
      const cfn = JSON.parse((await runCli(['iam', 'test/fixtures/infra/cloudformation-json', '--format', 'json'], REPO_ROOT)).stdout) as typeof out;
      const byFn = new Map(cfn.services.flatMap((s) => s.functions).map((f) => [f.function, f.policy.Statement]));
      assert.ok(byFn.get('TicketsFunction')!.every((s) => JSON.stringify(s.Condition).includes('dynamodb:LeadingKeys')));
      // A layered service (handlers -> repository -> db.py, table names from config.py): every call resolved.
      const layered = JSON.parse((await runCli(['iam', 'test/fixtures/infra/sam-layered', '--format', 'json'], REPO_ROOT)).stdout) as { services: Array<{ functions: Array<{ function: string; unresolved: string[]; policy: { Statement: Array<{ Action: string[]; Resource: unknown[] }> } }> }> };
      const lf = layered.services.flatMap((s) => s.functions);
      assert.deepStrictEqual(lf.flatMap((f) => f.unresolved), []);
      assert.deepStrictEqual(lf.find((f) => f.function === 'CancelOrderFunction')!.policy.Statement, [{ Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], Resource: [{ 'Fn::GetAtt': ['ShopOrdersTable', 'Arn'] }] }]);
      assert.deepStrictEqual(lf.find((f) => f.function === 'ListOrdersFunction')!.policy.Statement.map((s) => s.Resource), [[{ 'Fn::GetAtt': ['ShopOrdersTable', 'Arn'] }], [{ 'Fn::Sub': '${ShopOrdersTable.Arn}/index/by_state' }]]);
      const text = await runCli(['iam', 'test/fixtures/infra/serverless'], REPO_ROOT);
      assert.match(text.stdout, /route GET \/customers\/\{id\}: NO authorizer/);
      assert.match(text.stdout, /on !GetAtt OrdersTable\.Arn/);
    });
  });
});
