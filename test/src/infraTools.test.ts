// Infrastructure code in the tools: the language server on template findings (saved and unsaved
// edits) and the CLI's scan and `iam` commands on the fixture services.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runCli } from './helpers/cliTree';
import { INFRA_DIR } from './helpers/infra';
import { fileUri, LspClient } from './helpers/lspClient';

describe('infrastructure code (test/fixtures/infra)', function () {
  this.timeout(60000);

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
