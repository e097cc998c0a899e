'use strict';
// Writes the corpus (bench/corpus/app/**, big_3000.py, corpus.json); bench/gen-corpus.js is the command line.

const fs = require('fs');
const path = require('path');
const { makeRng } = require('./rng');
const { ENTITIES, VERBS, NOUNS, ctxFor } = require('./vocabulary');
const { modelBlock } = require('./plain-blocks');
const { FASTAPI_HANDLERS } = require('./handlers');
const { header, plainBlock, joinBlocks, generateModule, dedupeDefs, AUTH_MODULE } = require('./module');

const DEFAULTS = { out: path.join(__dirname, '..', 'corpus'), seed: 20240501, files: 150, minLines: 100_000 };
const BIG_FILE_LINES = 3000;
const BIG_FILE_HANDLERS = 60;

function generateCorpus(opts) {
  const rng = makeRng(opts.seed);
  const appDir = path.join(opts.out, 'app');
  const packages = ['api', 'services', 'handlers', 'utils', 'jobs', 'integrations'];
  const kinds = [
    ['fastapi', 0.36],
    ['flask', 0.22],
    ['lambda', 0.12],
    ['chalice', 0.05],
    ['plain', 0.25],
  ];
  const pickKind = () => {
    let r = rng.next();
    for (const [k, p] of kinds) if ((r -= p) < 0) return k;
    return 'plain';
  };
  const files = [];
  let total = 0;
  const write = (rel, text) => {
    const abs = path.join(appDir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    files.push(rel);
    total += text.split('\n').length - 1;
  };
  for (const pkg of packages) {
    write(`${pkg}/__init__.py`, '');
    write(`${pkg}/auth.py`, AUTH_MODULE);
  }
  // Spread the remaining budget so the corpus lands just above minLines with `files` modules.
  const perFile = Math.ceil((opts.minLines - total) / opts.files);
  for (let i = 0; i < opts.files; i++) {
    const kind = pickKind();
    const pkg = kind === 'plain' ? rng.pick(['utils', 'jobs', 'services']) : kind === 'lambda' ? 'handlers' : rng.pick(['api', 'integrations', 'services']);
    const target = rng.int(Math.round(perFile * 0.5), Math.round(perFile * 1.5));
    const name = `${kind}_${String(i).padStart(3, '0')}.py`;
    write(`${pkg}/${name}`, generateModule(rng, kind, target));
  }
  // Top up if rounding left us short.
  let extra = 0;
  while (total < opts.minLines) write(`utils/extra_${extra++}.py`, generateModule(rng, 'plain', 600));
  return { files: files.length, lines: total };
}

/** The latency file: exactly BIG_FILE_LINES lines, BIG_FILE_HANDLERS FastAPI handlers among helpers. */
function generateBigFile(opts) {
  const rng = makeRng(opts.seed ^ 0x5eed);
  const entities = rng.sample(ENTITIES, 6);
  const tableCtxs = entities.map((e) => ctxFor(rng, e));
  const head = header('fastapi', tableCtxs[0], tableCtxs).map((l) => l.replace('from .auth import get_current_user', 'from app.api.auth import get_current_user'));
  const blocks = [head, ...tableCtxs.map(modelBlock)];
  const handlers = [];
  for (let i = 0; i < BIG_FILE_HANDLERS; i++) handlers.push(FASTAPI_HANDLERS[i % FASTAPI_HANDLERS.length](tableCtxs[i % tableCtxs.length], 'router'));
  const budget = BIG_FILE_LINES - 12; // room for the filler table at the end
  const fixed = joinBlocks([...blocks, ...handlers]).length;
  let plainLines = 0;
  const plain = [];
  for (;;) {
    const b = plainBlock(rng, entities);
    if (fixed + plainLines + b.length + 2 > budget) break;
    plain.push(b);
    plainLines += b.length + 2;
  }
  // Interleave: spread helpers evenly between handlers.
  const body = [];
  const per = plain.length / handlers.length;
  let used = 0;
  handlers.forEach((h, i) => {
    body.push(h);
    const until = Math.round((i + 1) * per);
    while (used < until) body.push(plain[used++]);
  });
  while (used < plain.length) body.push(plain[used++]);
  let lines = dedupeDefs(joinBlocks([...blocks, ...body]));
  const remaining = BIG_FILE_LINES - lines.length - 2; // two blank separator lines
  if (remaining < 3) throw new Error(`big file overflow (${lines.length} lines)`);
  const filler = ['STATUS_DESCRIPTIONS = {'];
  for (let i = 0; i < remaining - 2; i++) filler.push(`    "code_${String(i).padStart(3, '0')}": "status ${i} (${rng.pick(VERBS)} ${rng.pick(NOUNS)})",`);
  filler.push('}');
  lines = [...lines, '', '', ...filler];
  if (lines.length !== BIG_FILE_LINES) throw new Error(`big file has ${lines.length} lines`);
  fs.writeFileSync(path.join(opts.out, 'big_3000.py'), lines.join('\n') + '\n');
  return { lines: lines.length, handlers: handlers.length };
}

/** Generate unless a complete corpus for the same parameters is already there. */
function ensureCorpus(opts = DEFAULTS, log = console.log) {
  const stamp = path.join(opts.out, 'corpus.json');
  const wanted = { seed: opts.seed, files: opts.files, minLines: opts.minLines, generator: 1 };
  if (!opts.force && fs.existsSync(stamp)) {
    try {
      const have = JSON.parse(fs.readFileSync(stamp, 'utf8'));
      if (JSON.stringify(have.params) === JSON.stringify(wanted)) return have;
    } catch {
      // regenerate below
    }
  }
  fs.rmSync(opts.out, { recursive: true, force: true });
  fs.mkdirSync(opts.out, { recursive: true });
  const started = Date.now();
  const corpus = generateCorpus(opts);
  const big = generateBigFile(opts);
  const info = { params: wanted, corpus, big, generatedMs: Date.now() - started };
  fs.writeFileSync(stamp, JSON.stringify(info, null, 2) + '\n');
  log(`corpus: ${corpus.files} files, ${corpus.lines} lines under ${path.relative(process.cwd(), path.join(opts.out, 'app')) || '.'}; big_3000.py: ${big.lines} lines, ${big.handlers} handlers (${info.generatedMs} ms)`);
  return info;
}

module.exports = { ensureCorpus, DEFAULTS };
