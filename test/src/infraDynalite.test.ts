// DG406/DG407 against dynalite (a DynamoDB emulator with DynamoDB's request validation): each
// fixture service's tables are created from the key schemas and indexes its infrastructure code
// declares, and every call on a line annotated for DG406/DG407 is replayed with the key names the
// code uses. Lines DynamoGuard flags must be rejected with a ValidationException, lines marked ok
// must be accepted.

import * as assert from 'assert';
import type { AddressInfo } from 'net';
import type { Server } from 'http';
import * as fs from 'fs';
import * as path from 'path';
import {
  CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand,
  type AttributeValue, type GlobalSecondaryIndex, type LocalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { Analyzer } from '../../server/out/analysis';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import { readInfra } from '../../server/out/analysis/infra/discover';
import { keyConditionAttrs, literalDictKeys } from '../../server/out/analysis/infra/keys';
import type { InfraTable } from '../../server/out/analysis/infra/model';
import { tableOfCall } from '../../server/out/analysis/infra/binding';
import { serviceWorkspace } from '../../server/out/analysis/infra/project';
import { computeFacts } from '../../server/out/analysis/model/engine';
import type { TableCall } from '../../server/out/analysis/model/facts';
import { parseAnnotations } from './helpers/annotations';
import { REPO_ROOT } from './helpers/cliTree';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

const INFRA_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'infra');

function pyFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pyFiles(path.join(dir, e.name)) : e.name.endsWith('.py') ? [path.join(dir, e.name)] : []));
}

const S = (v: string): AttributeValue => ({ S: v });

function physical(t: InfraTable): string {
  return t.id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

async function createTable(client: DynamoDBClient, t: InfraTable): Promise<void> {
  const attrs = new Set([t.keys!.partition, t.keys!.sort, ...t.indexes.flatMap((i) => [i.keys.partition, i.keys.sort])].filter((a): a is string => !!a));
  const keySchema = (k: { partition: string; sort?: string }) => [{ AttributeName: k.partition, KeyType: 'HASH' as const }, ...(k.sort ? [{ AttributeName: k.sort, KeyType: 'RANGE' as const }] : [])];
  const gsis: GlobalSecondaryIndex[] = t.indexes.filter((i) => i.kind === 'global').map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.keys), Projection: { ProjectionType: 'ALL' } }));
  const lsis: LocalSecondaryIndex[] = t.indexes.filter((i) => i.kind === 'local').map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.keys), Projection: { ProjectionType: 'ALL' } }));
  await client.send(new CreateTableCommand({
    TableName: physical(t),
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: keySchema(t.keys!),
    BillingMode: 'PAY_PER_REQUEST',
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
  }));
}

/** The request the call sends, with the key names the code uses and placeholder string values. */
async function replay(client: DynamoDBClient, call: TableCall, table: string): Promise<string | undefined> {
  const IndexName = call.kwargs.get('IndexName')?.value.str;
  const dict = (kw: 'Key' | 'Item') => Object.fromEntries((literalDictKeys(call, kw) ?? []).map((k) => [k.name, S(`v-${k.name}`)]));
  try {
    switch (call.method) {
      case 'get_item':
        await client.send(new GetItemCommand({ TableName: table, Key: dict('Key') }));
        break;
      case 'delete_item':
        await client.send(new DeleteItemCommand({ TableName: table, Key: dict('Key') }));
        break;
      case 'update_item':
        await client.send(new UpdateItemCommand({ TableName: table, Key: dict('Key'), UpdateExpression: 'SET dg_probe = :p', ExpressionAttributeValues: { ':p': S('x') } }));
        break;
      case 'put_item':
        await client.send(new PutItemCommand({ TableName: table, Item: dict('Item') }));
        break;
      case 'scan':
        await client.send(new ScanCommand({ TableName: table, ...(IndexName ? { IndexName } : {}) }));
        break;
      case 'query': {
        const attrs = keyConditionAttrs(call);
        const ops = call.keys.filter((k) => k.attr && !k.attr.startsWith('#'));
        const names: Record<string, string> = {};
        const values: Record<string, AttributeValue> = {};
        const parts = attrs.map((a, i) => {
          names[`#k${i}`] = a.name;
          values[`:v${i}`] = S(`v${i}`);
          const op = ops[i]?.op ?? 'eq';
          return op === 'eq' ? `#k${i} = :v${i}` : op === 'begins_with' ? `begins_with(#k${i}, :v${i})` : `#k${i} > :v${i}`;
        });
        await client.send(new QueryCommand({ TableName: table, ...(IndexName ? { IndexName } : {}), KeyConditionExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values }));
        break;
      }
      default:
        return 'not replayed';
    }
    return undefined;
  } catch (e) {
    const err = e as { name?: string; message?: string };
    return `${err.name}: ${err.message}`;
  }
}

describe('DG406/DG407 against dynalite (test/fixtures/infra)', function () {
  this.timeout(120000);
  let server: Server;
  let client: DynamoDBClient;
  let analyzer: Analyzer;

  before(async function () {
    analyzer = await Analyzer.create();
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'dg', secretAccessKey: 'dg' }, maxAttempts: 1 });
  });

  after(async function () {
    client?.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rejects every flagged request and accepts every request marked ok', async function () {
    const mismatches: string[] = [];
    let replayed = 0;
    for (const format of fs.readdirSync(INFRA_DIR).sort()) {
      const project = path.join(INFRA_DIR, format);
      const model = readInfra(project);
      for (const t of model.tables) if (t.keys) await createTable(client, t);
      // Tables defined in another module of the service (db.py) are known through the workspace.
      const workspace = serviceWorkspace(model, project, analyzer);
      for (const file of pyFiles(project)) {
        const text = fs.readFileSync(file, 'utf8');
        const ann = parseAnnotations(text);
        const wanted = [...ann.expect.map((a) => ({ ...a, reject: true })), ...ann.ok.map((a) => ({ ...a, reject: false }))].filter((a) => a.rule === 'DG406' || a.rule === 'DG407');
        if (wanted.length === 0) continue;
        const doc = analyzer.createDocument(text);
        try {
          const facts = computeFacts(doc, DEFAULT_SETTINGS, workspace, file);
          const calls = facts.functions.flatMap((f) => f.calls);
          for (const a of wanted) {
            const call = calls.find((c) => c.methodNode.startRow === a.line);
            const where = `${path.relative(REPO_ROOT, file)}:${a.line + 1} ${a.rule}`;
            if (!call) {
              mismatches.push(`${where}: no table call on this line`);
              continue;
            }
            const table = tableOfCall(facts, call, model);
            if (!table?.keys) {
              mismatches.push(`${where}: table unknown`);
              continue;
            }
            const verdict = await replay(client, call, physical(table));
            replayed++;
            if (a.reject && !/ValidationException/.test(verdict ?? '')) mismatches.push(`${where}: DynamoGuard flags it, dynalite says ${verdict ?? 'accepted'}`);
            if (!a.reject && verdict !== undefined) mismatches.push(`${where}: marked ok, dynalite says ${verdict}`);
          }
        } finally {
          doc.dispose();
        }
      }
    }
    assert.deepStrictEqual(mismatches, []);
    assert.ok(replayed >= 24, `only ${replayed} requests replayed`);
  });
});
