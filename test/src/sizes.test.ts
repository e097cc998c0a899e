import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// The size guideline (README's engineering standards): one rule per file of 2-8 KB in
// server/src/analysis/rules, no source file over 25 KB. Checked so a file that grows past it is
// split along the design when it happens, not sessions later.

const repo = path.join(__dirname, '..', '..');
const KB = 1024;
/** Rules over 8 KB that are being split in parallel work; remove an entry once its file is under. */
const RULES_BEING_SPLIT = new Set<string>([]);

function sources(dir: string, ext: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name), ext) : ext.test(e.name) ? [path.join(dir, e.name)] : []);
}

const size = (f: string) => fs.statSync(f).size;

describe('size guideline', () => {
  it('no source file in server/src, client/src, test/src or bench is over 25 KB', () => {
    const files = [
      ...['server/src', 'client/src', 'test/src'].flatMap((d) => sources(path.join(repo, d), /\.ts$/)),
      // bench/corpus and bench/results are generated output.
      ...sources(path.join(repo, 'bench'), /\.js$/).filter((f) => !/[\\/]bench[\\/](corpus|results)[\\/]/.test(f)),
    ];
    assert.ok(files.length > 100, `only ${files.length} files found`);
    const over = files.filter((f) => size(f) > 25 * KB).map((f) => `${path.relative(repo, f)} (${size(f)} bytes)`);
    assert.deepStrictEqual(over, []);
  });

  it('every rule module is 2-8 KB (move check or fix parts to rules/support/)', () => {
    const dir = path.join(repo, 'server', 'src', 'analysis', 'rules');
    const rules = fs.readdirSync(dir).filter((f) => /^DG\d+-.*\.ts$/.test(f));
    assert.ok(rules.length > 20);
    const off = rules
      .filter((f) => !RULES_BEING_SPLIT.has(f))
      .filter((f) => size(path.join(dir, f)) > 8 * KB || size(path.join(dir, f)) < 2 * KB)
      .map((f) => `${f} (${size(path.join(dir, f))} bytes)`);
    assert.deepStrictEqual(off, []);
  });
});
