// Fuzzing with a fixed seed: windows of the rule fixtures, mutated the way hostile or half-typed
// code looks (cut, duplicated, shuffled lines, junk tokens, long runs, deep nesting, odd line
// ends), run through the whole analyzer with every fix computed. Nothing may throw, and every
// finding must lie inside the text. Failures print the seed and iteration to replay.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../../server/out/analysis';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules');
const SEED = 0x5eed_0009;
const ITERATIONS = 2000;

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['(', ')', '[', ']', '{', '}', ':', ',', '"', "'", '"""', 'f"{', '}"', '\\', '#', '@', '\n', '\r', '\t', '    ', 'def ', 'class ', 'async ', 'await ',
  'return ', 'raise ', 'if ', 'else:', 'try:', 'except:', 'lambda ', 'yield ', '*', '**', '=', '+', ' AND ', ' OR ', 'NOT ', ':v', '#n', 'begins_with(',
  'Key=', 'KeyConditionExpression=', 'UpdateExpression="SET ', 'table.get_item(', 'table.query(', 'request.args["x"]', 'event["body"]', 'self', '\u00e9', '\ud83d\ude00', '\u0000'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const pos = () => Math.floor(rnd() * (text.length + 1));
  const rounds = 1 + Math.floor(rnd() * 4);
  for (let r = 0; r < rounds; r++) {
    const a = pos();
    const b = Math.min(text.length, a + Math.floor(rnd() * 80));
    switch (Math.floor(rnd() * 9)) {
      case 0: text = text.slice(0, a) + text.slice(b); break;
      case 1: text = text.slice(0, b) + text.slice(a, b) + text.slice(b); break;
      case 2: text = text.slice(0, a) + pick(TOKENS) + text.slice(a); break;
      case 3: {
        const lines = text.split('\n');
        const i = Math.floor(rnd() * lines.length);
        const j = Math.floor(rnd() * lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join('\n');
        break;
      }
      case 4: text = text.slice(0, a) + pick(['a', '(', ' + "a"', ' ', '[', 'x.']).repeat(100 + Math.floor(rnd() * 900)) + text.slice(a); break;
      case 5: text = text.replace(/\n/g, pick(['\r', '\r\n', '\n'])); break;
      case 6: text = text.slice(0, a) + text.slice(a, b).toUpperCase() + text.slice(b); break;
      case 7: text = text.slice(0, a) + text.slice(a, b).replace(/^ {4}/gm, '') + text.slice(b); break;
      default: text = text.slice(0, a) + '\n' + ' '.repeat(Math.floor(rnd() * 12)) + text.slice(a);
    }
  }
  return text;
}

describe('fuzz (fixed seed)', function () {
  this.timeout(120000);

  it(`${ITERATIONS} mutated files: no exception, findings inside the text, fixes computable`, async function () {
    const analyzer = await Analyzer.create();
    const sources = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).sort().map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
    const rnd = prng(SEED);
    for (let i = 0; i < ITERATIONS; i++) {
      // A window of the fixture keeps each run small (a few ms) while covering every rule's code.
      const lines = sources[Math.floor(rnd() * sources.length)]!.split('\n');
      const start = Math.floor(rnd() * lines.length);
      const window = lines.slice(start, start + 10 + Math.floor(rnd() * 30)).join('\n');
      const text = mutate(window, rnd);
      try {
        const result = analyzer.analyzeText(text);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const f of result.findings) {
          assert.ok(f.range.start.line < lineCount && f.range.end.line < lineCount + 1, `finding outside the text: ${JSON.stringify(f.range)}`);
          for (const fix of f.fixes) assert.ok(Array.isArray(fix.edits));
        }
      } catch (e) {
        const dump = path.join(__dirname, `fuzz-failure-${i}.py`);
        fs.writeFileSync(dump, text);
        assert.fail(`seed ${SEED} iteration ${i} (input saved to ${dump}): ${(e as Error).stack}`);
      }
    }
  });
});
