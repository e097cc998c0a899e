// Infrastructure-aware analysis beyond the fixture services' annotations: readers on CloudFormation
// routes, serverless.yml references and malformed input; the engine following handlers across
// modules and env-bound table names; rule specifics (DG406's rename, DG301's condition, DG102's route).

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analyzer, applyEdits } from '../../server/out/analysis';
import { readInfra } from '../../server/out/analysis/infra/discover';
import { emptyModel } from '../../server/out/analysis/infra/model';
import { evaluate } from '../../server/out/analysis/infra/policy';
import { analyzeFunctions, serviceWorkspace } from '../../server/out/analysis/infra/project';
import { infraValuesFor } from '../../server/out/analysis/infra/engineValues';
import { computeFacts } from '../../server/out/analysis/model/engine';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import { templateFindings } from '../../server/out/analysis/infra/service';
import { INFRA_DIR } from './helpers/infra';

describe('infrastructure code (test/fixtures/infra)', function () {
  this.timeout(60000);
  let analyzer: Analyzer;

  before(async function () {
    analyzer = await Analyzer.create();
  });

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
});
