// Inserted code is laid out as Black would (line length 88): every line a quick-fix golden has that
// its input does not (a multiset line diff) fits in 88 columns. Lines the user wrote and the fix left
// alone may stay long; a line the fix rewrote is new text and counts.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { layoutFix, layoutLine } from '../../server/out/analysis/fixes/layout';

const FIX_DIR = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'fixes');
const LINE_LENGTH = 88;

/** Output lines that are not in the input (as a multiset), with 1-based output line numbers. */
function addedLines(before: string, after: string): Array<{ line: number; text: string }> {
  const pool = new Map<string, number>();
  for (const l of before.split(/\r?\n/)) pool.set(l, (pool.get(l) ?? 0) + 1);
  const added: Array<{ line: number; text: string }> = [];
  after.split(/\r?\n/).forEach((text, i) => {
    const n = pool.get(text) ?? 0;
    if (n > 0) pool.set(text, n - 1);
    else added.push({ line: i + 1, text });
  });
  return added;
}

/** Columns as Black counts them: characters (code points), a tab counting as one. */
const width = (line: string): number => [...line].length;

describe('quick-fix layout (test/fixtures/fixes)', function () {
  const goldens = fs.readdirSync(FIX_DIR).filter((f) => f.endsWith('.fixed.py')).sort();

  it('has goldens to check', function () {
    assert.ok(goldens.length > 50, `only ${goldens.length} goldens in ${FIX_DIR}`);
  });

  it(`every line a fix inserts or rewrites fits in ${LINE_LENGTH} columns`, function () {
    const long: string[] = [];
    for (const golden of goldens) {
      const input = path.join(FIX_DIR, golden.replace(/\.fixed\.py$/, '.py'));
      if (!fs.existsSync(input)) continue; // fixes.test.ts reports orphans
      const before = fs.readFileSync(input, 'utf8');
      const after = fs.readFileSync(path.join(FIX_DIR, golden), 'utf8');
      for (const { line, text } of addedLines(before, after)) {
        if (width(text) > LINE_LENGTH) long.push(`${golden}:${line} (${width(text)} columns): ${text.trim()}`);
      }
    }
    assert.deepStrictEqual(long, [], `${long.length} inserted line(s) over ${LINE_LENGTH} columns`);
  });
});

// Shapes the goldens do not all cover; each expectation is what Black 23 prints for the line.
describe('layoutLine (Black-style split of one line)', function () {
  const lay = (indent: string, content: string) => layoutLine(indent, content, '    ').join('\n');

  it('keeps a line that fits', function () {
    assert.strictEqual(lay('    ', 'x = f(a, b)'), '    x = f(a, b)');
  });

  it('splits a long def parameter list, hugged when it fits and one per line otherwise', function () {
    const hugged = 'def read_profile(profile_id: str, request: Request, user: User = Depends(current_principal)):';
    assert.strictEqual(lay('', hugged), [
      'def read_profile(',
      '    profile_id: str, request: Request, user: User = Depends(current_principal)',
      '):',
    ].join('\n'));
    const long = 'def read_profile(profile_id: str, request: Request, user: User = Depends(current_principal), verbose: bool = False) -> dict:';
    assert.strictEqual(lay('', long), [
      'def read_profile(',
      '    profile_id: str,',
      '    request: Request,',
      '    user: User = Depends(current_principal),',
      '    verbose: bool = False,',
      ') -> dict:',
    ].join('\n'));
  });

  it('wraps a returned tuple in parentheses with a magic trailing comma', function () {
    assert.strictEqual(lay('        ', 'return jsonify(error="Internal server error", trace="Internal server error"), 500'), [
      '        return (',
      '            jsonify(error="Internal server error", trace="Internal server error"),',
      '            500,',
      '        )',
    ].join('\n'));
  });

  it('splits a string concatenation at its operators inside parentheses', function () {
    assert.strictEqual(lay('    ', 'expression = "SET #status = :status, updated_at = :now, " + "owner_sub = :owner_sub, x = :x" + suffix'), [
      '    expression = (',
      '        "SET #status = :status, updated_at = :now, "',
      '        + "owner_sub = :owner_sub, x = :x"',
      '        + suffix',
      '    )',
    ].join('\n'));
  });

  it('cuts a too-long f-string before spaces, outside replacement fields, keeping f only where needed', function () {
    const out = layoutLine('        ', 'Statement=f"SELECT url_hash, title FROM {TABLE} WHERE user_id = ? AND contains(tags, ?) AND rank > ?",', '    ');
    assert.deepStrictEqual(out, [
      '        Statement=(',
      '            f"SELECT url_hash, title FROM {TABLE} WHERE user_id = ? AND contains(tags,"',
      '            " ?) AND rank > ?"',
      '        ),',
    ]);
    const field = layoutLine('', 'message = f"the caller {principal.identifier_of_the_caller_for_this_request_and_more} may not"', '    ');
    assert.ok(field.every((l) => !/\{[^}]*$/.test(l)), `a replacement field was cut:\n${field.join('\n')}`);
  });

  it('leaves alone what it cannot split safely (comments, open brackets)', function () {
    const comment = 'resp = table.get_item(Key={"user_id": user_id}, ProjectionExpression="a, b, c")  # the owner only';
    assert.strictEqual(lay('    ', comment), `    ${comment}`);
    const open = 'resp = table.get_item(Key={"user_id": user_id}, ProjectionExpression="a, b, c, d, e, f",';
    assert.strictEqual(lay('    ', open), `    ${open}`);
  });

  it('replaces only the lines a fix made too long, whole lines, keeping CRLF', function () {
    const text = 'def f(user_id):\r\n    resp = table.get_item(Key={"user_id": user_id})\r\n    return resp\r\n';
    const col = '    resp = table.get_item(Key={"user_id": user_id}'.length;
    const fix = layoutFix(text, {
      title: 't', isPreferred: true, safe: true,
      edits: [{ range: { start: { line: 1, character: col }, end: { line: 1, character: col } }, newText: ', ProjectionExpression="user_id, display_name, email, avatar"' }],
    }, '    ');
    assert.deepStrictEqual(fix.edits, [{
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: text.split('\n')[1]!.length } },
      newText: '    resp = table.get_item(\r\n        Key={"user_id": user_id},\r\n        ProjectionExpression="user_id, display_name, email, avatar",\r\n    )\r',
    }]);
  });
});

