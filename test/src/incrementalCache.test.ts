// The per-function facts cache (model/engine.ts) reuses a function's facts while everything its
// analysis read is unchanged: the summaries of the functions it calls, the methods of the objects
// it uses, their class's `__init__`. Each edit below changes what another function reads, so a
// cache keyed too loosely keeps stale findings; every step is compared with a fresh analysis.

import * as assert from 'assert';
import { Analyzer, type Finding } from '../../server/out/analysis';

const SOURCE = `import boto3
from fastapi import FastAPI

app = FastAPI()


def orders_table():
    return boto3.resource("dynamodb").Table("orders")


def order_key(order_id):
    return {"order_id": order_id}


class OrderRepository:
    def __init__(self):
        self.table = boto3.resource("dynamodb").Table("orders")

    def get(self, order_id):
        return self.table.get_item(Key={"order_id": order_id}).get("Item")

    def count(self):
        return 1


@app.get("/orders/{order_id}")
def read_order(order_id: str):
    return OrderRepository().get(order_id)


@app.delete("/orders/{order_id}")
def delete_order(order_id: str):
    orders_table().delete_item(Key=order_key(order_id))
    return {}
`;

const show = (findings: Finding[]) => findings.map((f) => `${f.rule}@${f.range.start.line}:${f.range.start.character} ${f.message}`);

describe('incremental analysis: per-function cache follows what each function read', function () {
  this.timeout(30000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  // [what is edited, text before, text after]: each changes the findings of a function elsewhere.
  const edits: Array<[string, string, string]> = [
    ['the class __init__ a handler instantiates', 'self.table = boto3.resource("dynamodb").Table("orders")', 'self.table = None'],
    ['the method a handler calls', 'Key={"order_id": order_id}).get', 'Key={"order_id": "fixed"}).get'],
    ['the helper function a handler calls', 'return {"order_id": order_id}', 'return {"order_id": "fixed"}'],
    ['another method of the same class (no effect on findings)', 'return 1', 'return 2'],
  ];

  for (const [what, from, to] of edits) {
    it(`an edit in ${what} re-analyses its users: incremental == fresh, there and back`, () => {
      const doc = analyzer.createDocument(SOURCE);
      try {
        const original = show(analyzer.analyzeDocument(doc).findings);
        const offset = SOURCE.indexOf(from);
        assert.ok(offset >= 0, from);
        const at = (o: number) => ({ line: SOURCE.slice(0, o).split('\n').length - 1, character: o - SOURCE.lastIndexOf('\n', o - 1) - 1 });
        doc.applyChanges([{ range: { start: at(offset), end: at(offset + from.length) }, text: to }]);
        const edited = show(analyzer.analyzeDocument(doc).findings);
        assert.deepStrictEqual(edited, show(analyzer.analyzeText(doc.text).findings));
        if (!what.includes('no effect')) assert.notDeepStrictEqual(edited, original, 'the edit was meant to change some finding');
        const back = doc.text.indexOf(to, offset - 1);
        const atNew = (o: number) => ({ line: doc.text.slice(0, o).split('\n').length - 1, character: o - doc.text.lastIndexOf('\n', o - 1) - 1 });
        doc.applyChanges([{ range: { start: atNew(back), end: atNew(back + to.length) }, text: from }]);
        assert.strictEqual(doc.text, SOURCE);
        assert.deepStrictEqual(show(analyzer.analyzeDocument(doc).findings), original);
      } finally {
        doc.dispose();
      }
    });
  }
});
