// An in-process dynalite (DynamoDB emulator) to ask "does DynamoDB accept this request?", and the
// conversion of DynamoGuard's view of a request (expressions + ExpressionAttributeNames/Values
// keys) into a real DynamoDB request. Values are synthesised from how each placeholder is used
// (a number for `ADD`/`+`, a list for `list_append`, ordered strings for BETWEEN...) so the only
// thing dynalite can object to is the expression grammar and the placeholders themselves.

import type { AddressInfo } from 'net';
import type { Server } from 'http';
import {
  CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  UpdateItemCommand, type AttributeValue, type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { ExprAnalysis, ExprNode, ParsedRoot } from '../../../server/out/analysis/expr';

export type Op = 'query' | 'scan' | 'update' | 'put' | 'delete' | 'get';

export interface KeySchema {
  hash: string;
  range?: string;
}

export interface DynaliteCase {
  id: string;
  op: Op;
  expressions: Partial<Record<'KeyConditionExpression' | 'FilterExpression' | 'ConditionExpression' | 'UpdateExpression' | 'ProjectionExpression', string>>;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
  /** Table key schema; for `index` queries the table gets this GSI too. */
  schema: KeySchema;
  index?: KeySchema;
}

export type Verdict = { accepted: true; note?: string } | { accepted: false; message: string };

/**
 * ValidationExceptions that depend on the stored item, not on the request text (dynalite applies
 * the update to a missing item): the expression itself was accepted.
 */
const DATA_DEPENDENT = [
  'The document path provided in the update expression is invalid for update',
  'An operand in the update expression has an incorrect data type',
  'Type mismatch for attribute to update',
  'The provided expression refers to an attribute that does not exist in the item',
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

export class DynaliteHarness {
  private readonly tables = new Map<string, string>();

  private constructor(private readonly server: Server, readonly client: DynamoDBClient) {}

  static async start(): Promise<DynaliteHarness> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    // The SDK warns once per process that Node 20 support ends in 2027: noise in test output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dynamo-guard', secretAccessKey: 'dynamo-guard' },
      maxAttempts: 1,
    });
    return new DynaliteHarness(server, client);
  }

  async close(): Promise<void> {
    this.client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A table with this key schema (and GSI), created on first use. */
  private async table(schema: KeySchema, index?: KeySchema): Promise<string> {
    const sig = JSON.stringify([schema, index ?? null]);
    const existing = this.tables.get(sig);
    if (existing) return existing;
    const name = `dg_table_${this.tables.size + 1}`;
    const keys = (k: KeySchema): KeySchemaElement[] => [
      { AttributeName: k.hash, KeyType: 'HASH' },
      ...(k.range ? [{ AttributeName: k.range, KeyType: 'RANGE' as const }] : []),
    ];
    const attrs = [...new Set([schema.hash, schema.range, index?.hash, index?.range].filter((a): a is string => !!a))];
    await this.client.send(new CreateTableCommand({
      TableName: name,
      KeySchema: keys(schema),
      AttributeDefinitions: attrs.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      BillingMode: 'PAY_PER_REQUEST',
      ...(index ? { GlobalSecondaryIndexes: [{ IndexName: 'dg_index', KeySchema: keys(index), Projection: { ProjectionType: 'ALL' } }] } : {}),
    }));
    this.tables.set(sig, name);
    return name;
  }

  async send(c: DynaliteCase): Promise<Verdict> {
    const TableName = await this.table(c.schema, c.index);
    const Key: Record<string, AttributeValue> = { [c.schema.hash]: { S: 'dg-key' } };
    if (c.schema.range) Key[c.schema.range] = { S: 'dg-sort' };
    const common = {
      TableName,
      ...(c.names ? { ExpressionAttributeNames: c.names } : {}),
      ...(c.values ? { ExpressionAttributeValues: c.values } : {}),
    };
    const e = c.expressions;
    try {
      switch (c.op) {
        case 'query':
          await this.client.send(new QueryCommand({ ...common, ...(c.index ? { IndexName: 'dg_index' } : {}), KeyConditionExpression: e.KeyConditionExpression, FilterExpression: e.FilterExpression, ProjectionExpression: e.ProjectionExpression }));
          break;
        case 'scan':
          await this.client.send(new ScanCommand({ ...common, FilterExpression: e.FilterExpression, ProjectionExpression: e.ProjectionExpression }));
          break;
        case 'get':
          await this.client.send(new GetItemCommand({ ...common, Key, ProjectionExpression: e.ProjectionExpression }));
          break;
        case 'put':
          await this.client.send(new PutItemCommand({ ...common, Item: Key, ConditionExpression: e.ConditionExpression }));
          break;
        case 'delete':
          await this.client.send(new DeleteItemCommand({ ...common, Key, ConditionExpression: e.ConditionExpression }));
          break;
        case 'update':
          await this.client.send(new UpdateItemCommand({ ...common, Key, UpdateExpression: e.UpdateExpression, ConditionExpression: e.ConditionExpression }));
          break;
      }
      return { accepted: true };
    } catch (err) {
      const name = (err as { name?: string }).name;
      const message = (err as { message?: string }).message ?? String(err);
      if (name === 'ConditionalCheckFailedException' || name === 'ResourceNotFoundException') return { accepted: true, note: name };
      if (name === 'ValidationException') {
        if (DATA_DEPENDENT.some((m) => message.startsWith(m))) return { accepted: true, note: `data-dependent: ${message}` };
        return { accepted: false, message };
      }
      throw err;
    }
  }
}

// ---- values synthesised from use -----------------------------------------------------------

type Want = 'N' | 'L' | 'SS' | 'S' | 'TYPE' | 'LOW' | 'HIGH';

function wantsOf(root: ParsedRoot, out: Map<string, Want>): void {
  const set = (n: ExprNode, w: Want) => {
    let u = n;
    while (u.type === 'paren') u = u.inner;
    if (u.type === 'value' && !out.has(u.name)) out.set(u.name, w);
    if (u.type === 'function' && u.name === 'if_not_exists' && u.args[1]) set(u.args[1], w);
  };
  const visit = (n: ExprNode): void => {
    switch (n.type) {
      case 'arith': set(n.left, 'N'); set(n.right, 'N'); visit(n.left); visit(n.right); return;
      case 'function':
        if (n.name === 'list_append') n.args.forEach((a) => set(a, 'L'));
        if (n.name === 'attribute_type' && n.args[1]) set(n.args[1], 'TYPE');
        n.args.forEach(visit);
        return;
      case 'between': set(n.low, 'LOW'); set(n.high, 'HIGH'); visit(n.subject); visit(n.low); visit(n.high); return;
      case 'paren': visit(n.inner); return;
      case 'compare': case 'and': case 'or': visit(n.left); visit(n.right); return;
      case 'not': visit(n.arg); return;
      case 'in': visit(n.subject); n.list.forEach(visit); return;
      default: return;
    }
  };
  if (root.type === 'update') {
    for (const c of root.clauses) {
      for (const a of c.actions) {
        if (!a.value) continue;
        if (c.keyword === 'ADD') set(a.value, 'N');
        else if (c.keyword === 'DELETE') set(a.value, 'SS');
        else visit(a.value);
      }
    }
  } else if (root.type !== 'projection') {
    visit(root);
  }
}

/** A value for every key, typed by how the (parsed) expressions use it. */
export function synthesizeValues(keys: Iterable<string>, analyses: readonly ExprAnalysis[]): Record<string, AttributeValue> {
  const wants = new Map<string, Want>();
  for (const a of analyses) if (a.root) wantsOf(a.root, wants);
  const out: Record<string, AttributeValue> = {};
  for (const k of keys) {
    switch (wants.get(k) ?? 'S') {
      case 'N': out[k] = { N: '1' }; break;
      case 'L': out[k] = { L: [{ S: 'x' }] }; break;
      case 'SS': out[k] = { SS: ['x'] }; break;
      case 'TYPE': out[k] = { S: 'S' }; break;
      case 'LOW': out[k] = { S: 'a' }; break;
      case 'HIGH': out[k] = { S: 'b' }; break;
      default: out[k] = { S: 'v' };
    }
  }
  return out;
}
