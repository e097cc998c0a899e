import * as assert from 'assert';
import { createHash } from 'crypto';
import {
  RESERVED_WORDS,
  RESERVED_WORD_COUNT,
  RESERVED_WORD_LIST,
  isReservedWord,
} from '../../server/out/analysis/expr/reservedWords';

describe('DynamoDB reserved words', () => {
  it('has exactly the official count (573)', () => {
    assert.strictEqual(RESERVED_WORD_COUNT, 573);
    assert.strictEqual(RESERVED_WORD_LIST.length, 573);
    assert.strictEqual(RESERVED_WORDS.size, 573);
  });

  it('matches the official list byte for byte', () => {
    // SHA-256 of the official list (newline-joined) taken from the awsdocs developer guide
    // source, so a silently dropped, added or "fixed" word fails here.
    const digest = createHash('sha256').update(RESERVED_WORD_LIST.join('\n')).digest('hex');
    assert.strictEqual(digest, '2269c45be257f14faa7d264a5cad5641164bd21173cfecd0e4f670a599d06347');
  });

  it('is sorted, unique and upper-case', () => {
    const sorted = [...RESERVED_WORD_LIST].sort();
    assert.deepStrictEqual(RESERVED_WORD_LIST, sorted);
    assert.strictEqual(new Set(RESERVED_WORD_LIST).size, RESERVED_WORD_LIST.length);
    for (const w of RESERVED_WORD_LIST) assert.match(w, /^[A-Z]+$/, w);
    assert.strictEqual(RESERVED_WORD_LIST[0], 'ABORT');
    assert.strictEqual(RESERVED_WORD_LIST[RESERVED_WORD_LIST.length - 1], 'ZONE');
  });

  it('keeps the official misspellings', () => {
    for (const w of ['FLATTERN', 'INNTER', 'LOGED']) assert.ok(RESERVED_WORDS.has(w), w);
    // ...and does not invent the corrected spellings that are not on the list.
    for (const w of ['FLATTEN', 'LOGGED']) assert.ok(!RESERVED_WORDS.has(w), w);
  });

  it('contains commonly used attribute names that DynamoDB rejects', () => {
    const reserved = [
      'name', 'status', 'data', 'user', 'owner', 'role', 'text', 'value', 'values', 'date',
      'timestamp', 'comment', 'count', 'size', 'type', 'key', 'keys', 'hash', 'range', 'token',
      'group', 'level', 'source', 'state', 'region', 'location', 'zone', 'time', 'year', 'month',
      'day', 'users', 'ttl', 'url', 'uuid', 'session', 'path', 'action',
    ];
    for (const n of reserved) assert.ok(isReservedWord(n), n);
  });

  it('does not contain ordinary attribute names', () => {
    const ordinary = [
      'user_id', 'display_name', 'email', 'bio', 'owner_id', 'note_id', 'title', 'body',
      'password', 'groups', 'id', 'pk', 'sk', 'created_at', 'updated_at', 'tenant_id', 'content',
      'FLATTEN', 'userId', 'name1', '', 'user.name', '#name',
    ];
    for (const n of ordinary) assert.ok(!isReservedWord(n), n);
  });

  it('matches case-insensitively', () => {
    for (const n of ['name', 'Name', 'NAME', 'nAmE', 'innter', 'Loged', 'flattern']) {
      assert.ok(isReservedWord(n), n);
    }
  });

  it('does not let non-ASCII look-alikes match', () => {
    // 'ı' (dotless i) and 'ſ' (long s) upper-case to ASCII I and S.
    assert.ok(!isReservedWord('\u0131nner'));
    assert.ok(!isReservedWord('\u017Fize'));
  });
});
