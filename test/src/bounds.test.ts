import * as assert from 'assert';
import { Analyzer } from '../../server/out/analysis';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import { computeFacts } from '../../server/out/analysis/model/engine';
import { MAX_DICT_ENTRIES, MAX_ELEMS, type Value } from '../../server/out/analysis/model/values';

// Bounded by construction: shapes that once grew work or memory without bound (branch merges
// concatenated both arms' dict entries; 18 nested `if a: if b: d["k"] = 1` blocks reached V8's
// array limit after a minute and 4.5 GB) now cost work linear in their size. Asserted on the
// interpreter's step counter and the sizes of abstract values, never on wall time.

/** `n` blocks of `if a: if b: d[key(i)] = 1` in one function. */
function nestedWrites(n: number, key: (i: number) => string): string {
  const lines = ['def build(a, b):', '    d = {}'];
  for (let i = 0; i < n; i++) lines.push(`    if a${i}:`, `        if b${i}:`, `            d[${JSON.stringify(key(i))}] = 1`);
  lines.push('    return d', '');
  return lines.join('\n');
}

/** One `if` inside the other, `depth` deep, each writing the dict. */
function deepWrites(depth: number): string {
  const lines = ['def build(a):', '    d = {}'];
  for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(4 * (i + 1))}if a${i}:`, `${' '.repeat(4 * (i + 2))}d["k${i % 7}"] = ${i}`);
  lines.push('    return d', '');
  return lines.join('\n');
}

/** Largest dict-entry list and `elem`/`keyedBy` nesting anywhere in a value. */
function measure(v: Value | undefined, depth = 0): { entries: number; nesting: number } {
  if (!v || depth > 50) return { entries: 0, nesting: depth };
  let entries = v.dict?.length ?? 0;
  let nesting = depth;
  for (const child of [v.elem, v.keyedBy, ...(v.dict ?? []).map((e) => e.value)]) {
    if (!child) continue;
    const m = measure(child, depth + 1);
    entries = Math.max(entries, m.entries);
    nesting = Math.max(nesting, m.nesting);
  }
  return { entries, nesting };
}

describe('bounded analysis', function () {
  // Generous: the assertions are about work counters; this only stops a regression from hanging CI.
  this.timeout(60_000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  function facts(text: string) {
    const doc = analyzer.createDocument(text);
    try {
      return computeFacts(doc, DEFAULT_SETTINGS);
    } finally {
      doc.dispose();
    }
  }

  it('18 nested-if dict writes: the returned dict holds each write once, work linear', () => {
    const f = facts(nestedWrites(18, (i) => `k${i}`));
    assert.deepStrictEqual(f.errors, []);
    const ret = f.functions[0]!.returns[0]!.value;
    assert.strictEqual(ret.dict?.length, 18, 'one entry per written key');
    assert.ok(f.work < 2_000, `work ${f.work}`);
  });

  it('500 nested-if blocks writing one key, and 500 distinct keys: entries capped, work linear in size', () => {
    for (const key of [() => 'k', (i: number) => `k${i}`]) {
      const small = facts(nestedWrites(50, key));
      const big = facts(nestedWrites(500, key));
      assert.deepStrictEqual(big.errors, []);
      const m = measure(big.functions[0]!.returns[0]!.value);
      assert.ok(m.entries <= MAX_DICT_ENTRIES, `entries ${m.entries}`);
      // Ten times the code, about ten times the work (not a hundred).
      assert.ok(big.work <= small.work * 12, `work ${small.work} -> ${big.work}`);
    }
  });

  it('500-deep nesting: bounded values and linear work', () => {
    const small = facts(deepWrites(50));
    const big = facts(deepWrites(500));
    assert.deepStrictEqual(big.errors, []);
    const m = measure(big.functions[0]!.returns[0]!.value);
    assert.ok(m.entries <= MAX_DICT_ENTRIES, `entries ${m.entries}`);
    assert.ok(big.work <= small.work * 12, `work ${small.work} -> ${big.work}`);
  });

  it('lists kept element by element (transaction entries) and shaped returns stay bounded', () => {
    // `n` branches each appending an entry dict, then `n` returns of different dicts.
    const appends = (n: number) => {
      const lines = ['def build(a, key):', '    ops = []'];
      for (let i = 0; i < n; i++) lines.push(`    if a${i}:`, `        ops.append({"Update": {"Key": {"k${i % 5}": key}, "n": ${i}}})`);
      lines.push('    return ops', '', 'def pick(a, key):');
      for (let i = 0; i < n; i++) lines.push(`    if a${i}:`, `        return {"Put": {"Item": {"k${i}": key}, "x${i}": {"y": ${i}}}}`);
      lines.push('    return {}', '');
      return lines.join('\n');
    };
    const small = facts(appends(50));
    const big = facts(appends(500));
    assert.deepStrictEqual(big.errors, []);
    const ops = big.functions.find((f) => f.fn.name === 'build')!.returns[0]!.value;
    assert.ok((ops.elems?.length ?? 0) <= MAX_ELEMS, `elems ${ops.elems?.length}`);
    const shaped = big.summary('pick')!.returns;
    assert.ok((shaped.dict?.length ?? 0) <= MAX_DICT_ENTRIES, `entries ${shaped.dict?.length}`);
    assert.ok(measure(shaped).entries <= MAX_DICT_ENTRIES);
    // The entry key every return shares is one entry whose value joins them all.
    assert.strictEqual(shaped.dict?.filter((e) => e.key === 'Put').length, 1);
    assert.ok(big.work <= small.work * 12, `work ${small.work} -> ${big.work}`);
  });

  it('a function over the step budget ends with an error; the rest of the file is still checked', () => {
    const text = [
      'from fastapi import FastAPI',
      'import boto3',
      'app = FastAPI()',
      'table = boto3.resource("dynamodb").Table("notes")',
      '',
      '@app.get("/notes/{note_id}")',
      'def read_note(note_id: str):',
      '    return table.get_item(Key={"id": note_id})',
      '',
      nestedWrites(40, (i) => `k${i}`),
    ].join('\n');
    const full = analyzer.analyzeText(text);
    assert.strictEqual(full.errors, undefined);
    const limited = analyzer.analyzeText(text, { budget: { maxStepsPerFunction: 100 } });
    assert.strictEqual(limited.errors?.length, 1);
    assert.match(limited.errors![0]!, /budget exceeded \(steps\).*`build` \(line 10\)/);
    // `read_note` is small: its findings are the same as without a budget.
    const codes = (r: typeof full) => r.findings.filter((x) => x.range.start.line < 9).map((x) => x.rule).sort();
    assert.ok(codes(full).length > 0);
    assert.deepStrictEqual(codes(limited), codes(full));
  });

  it('a file over the time budget ends with an error instead of running on', () => {
    const r = analyzer.analyzeText(deepWrites(300), { budget: { timeMs: -1 } });
    assert.strictEqual(r.errors?.length, 1);
    assert.match(r.errors![0]!, /budget exceeded \(time\)/);
  });
});
