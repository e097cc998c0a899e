#!/usr/bin/env node
'use strict';
// Editor latency: time from a didChange to computed diagnostics on a 3,000-line file, measured
// inside the process (no LSP transport, no debounce): `doc.applyChanges([change])` followed by
// `analyzer.analyzeDocument(doc)`, exactly what the language server does per change.
//
// Each iteration is a one-character LSP-style change inside a handler body: even iterations insert
// a character (inside a string literal or an identifier), odd ones delete it again, so the text
// alternates between the original and a one-character variant at a new place every two steps.
// For comparison the same file is analysed from scratch (`analyzeText`).
//
// Usage: node bench/latency.js [--file F] [--iterations 300] [--full-iterations 30]
//                              [--warmup-edits 20] [--seed N]
// Targets (printed, never enforced: this is a measurement, it always exits 0 unless it breaks):
// median <= 10 ms, p95 <= 25 ms.

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const { CORPUS_DIR, environment, fmtMs, loadAnalyzer, stats, table, writeResult } = require('./lib/common');
const { ensureCorpus, makeRng } = require('./gen-corpus');

const TARGETS = { medianMs: 10, p95Ms: 25 };

function parseArgs(argv) {
  const opts = { file: path.join(CORPUS_DIR, 'big_3000.py'), iterations: 300, fullIterations: 30, warmupEdits: 20, seed: 7 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--file') opts.file = path.resolve(next());
    else if (a === '--iterations') opts.iterations = Number(next());
    else if (a === '--full-iterations') opts.fullIterations = Number(next());
    else if (a === '--warmup-edits') opts.warmupEdits = Number(next());
    else if (a === '--seed') opts.seed = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['iterations', 'fullIterations', 'warmupEdits']) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  return opts;
}

const ROUTE_DECORATOR = /^@\w+\.(get|post|put|patch|delete|head|options|api_route|route)\(/;

/**
 * Places to type at: inside string literals and identifiers of handler bodies (a decorated
 * top-level def and the indented lines under it). Positions are {line, character}, 0-based,
 * with one entry list per handler so edits can rotate across handlers.
 */
function editSites(text) {
  const lines = text.split('\n');
  const handlers = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^(async )?def \w+\(/.test(lines[i]) || i === 0 || !ROUTE_DECORATOR.test(lines[i - 1])) continue;
    const sites = [];
    for (let j = i + 1; j < lines.length && (lines[j] === '' || /^\s/.test(lines[j])); j++) {
      const line = lines[j];
      // Inside a string: after the first quote that opens a word of at least 3 characters.
      const str = /"([A-Za-z_][^"]{2,})"/.exec(line);
      if (str) sites.push({ line: j, character: str.index + 2, kind: 'string' });
      // Inside the first identifier of the statement (an assignment target or a call).
      const ident = /^(\s+)([A-Za-z_][A-Za-z0-9_]{3,})/.exec(line);
      if (ident && !/^(return|raise|if|for|while|try|except|with|else|elif)$/.test(ident[2])) {
        sites.push({ line: j, character: ident[1].length + Math.floor(ident[2].length / 2), kind: 'identifier' });
      }
    }
    if (sites.length) handlers.push({ line: i, name: /def (\w+)/.exec(lines[i])[1], sites });
  }
  return handlers;
}

/** The change sequence: insert at a site, delete it again, next site (another handler)... */
function* changes(handlers, rng) {
  const chars = 'abcdefghijklmnopqrstuvwxyz_';
  for (let i = 0; ; i++) {
    const h = handlers[rng.int(0, handlers.length - 1)];
    const site = rng.pick(h.sites);
    const ch = rng.pick(chars);
    const at = { line: site.line, character: site.character };
    yield { range: { start: at, end: at }, text: ch, site, handler: h.name, op: 'insert' };
    yield { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '', site, handler: h.name, op: 'delete' };
  }
}

function findingKey(f) {
  return `${f.rule}@${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.message}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.file)) {
    if (opts.file === path.join(CORPUS_DIR, 'big_3000.py')) ensureCorpus();
    else throw new Error(`no such file: ${opts.file}`);
  }
  const { Analyzer, DEFAULT_SETTINGS } = loadAnalyzer();
  const text = fs.readFileSync(opts.file, 'utf8');
  const analyzeOpts = { settings: DEFAULT_SETTINGS, path: opts.file };
  const handlers = editSites(text);
  if (handlers.length === 0) throw new Error(`no handler bodies found in ${opts.file}`);

  const createStart = performance.now();
  const analyzer = await Analyzer.create();
  const initMs = performance.now() - createStart;

  const doc = analyzer.createDocument(text);
  const firstStart = performance.now();
  const first = analyzer.analyzeDocument(doc, analyzeOpts);
  const firstMs = performance.now() - firstStart;

  const rng = makeRng(opts.seed);
  const seq = changes(handlers, rng);
  // A few unmeasured edit pairs so the JIT has seen the incremental path before timing starts.
  for (let i = 0; i < opts.warmupEdits * 2; i++) {
    const c = seq.next().value;
    doc.applyChanges([{ range: c.range, text: c.text }]);
    analyzer.analyzeDocument(doc, analyzeOpts);
  }

  const samples = [];
  const byOp = { insert: [], delete: [] };
  let mismatches = 0;
  let checks = 0;
  const mismatchExamples = [];
  for (let i = 0; i < opts.iterations; i++) {
    const c = seq.next().value;
    const t0 = performance.now();
    doc.applyChanges([{ range: c.range, text: c.text }]);
    const result = analyzer.analyzeDocument(doc, analyzeOpts);
    const dt = performance.now() - t0;
    samples.push(dt);
    byOp[c.op].push(dt);
    // Outside the timed region: the incremental result must equal a from-scratch analysis.
    if (i % 25 === 24) {
      checks++;
      const full = analyzer.analyzeText(doc.text, analyzeOpts);
      const a = result.findings.map(findingKey).join('\n');
      const b = full.findings.map(findingKey).join('\n');
      if (a !== b) {
        mismatches++;
        if (mismatchExamples.length < 3) mismatchExamples.push({ iteration: i, handler: c.handler, op: c.op, incremental: result.findings.length, full: full.findings.length });
      }
    }
  }
  if (doc.text !== text && opts.iterations % 2 === 0) throw new Error('document did not return to the original text: edits were applied wrongly');

  const fullSamples = [];
  let fullFindings = 0;
  for (let i = 0; i < opts.fullIterations; i++) {
    const t0 = performance.now();
    const r = analyzer.analyzeText(text, analyzeOpts);
    fullSamples.push(performance.now() - t0);
    fullFindings = r.findings.length;
  }

  const inc = stats(samples);
  const full = opts.fullIterations > 0 ? stats(fullSamples) : undefined;
  const pass = { median: inc.median <= TARGETS.medianMs, p95: inc.p95 <= TARGETS.p95Ms };
  const result = {
    benchmark: 'latency',
    environment: environment(),
    file: path.relative(process.cwd(), opts.file),
    lines: text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length,
    handlersEdited: handlers.length,
    findingsInFile: first.findings.length,
    analyzerInitMs: +initMs.toFixed(2),
    firstAnalysisMs: +firstMs.toFixed(2),
    warmupEditPairs: opts.warmupEdits,
    incremental: { ...inc, insert: stats(byOp.insert), delete: stats(byOp.delete) },
    full: full ? { ...full, findings: fullFindings } : null,
    speedup: full ? +(full.median / inc.median).toFixed(1) : null,
    consistency: { checks, mismatches, examples: mismatchExamples },
    targets: TARGETS,
    pass,
  };
  const out = writeResult('latency.json', result);

  console.log(`latency: ${result.file} (${result.lines} lines, ${handlers.length} handlers, ${result.findingsInFile} findings)`);
  console.log(`analyzer init ${fmtMs(initMs)} ms, first analysis ${fmtMs(firstMs)} ms, ${opts.warmupEdits} warm-up edit pairs\n`);
  const row = (name, s) => [name, s.n, fmtMs(s.median), fmtMs(s.p95), fmtMs(s.max), fmtMs(s.mean)];
  const rows = [row('incremental (change + analyze)', inc), row('  insert', result.incremental.insert), row('  delete', result.incremental.delete)];
  if (full) rows.push(row('full analyzeText', full));
  console.log(table(['', 'n', 'median ms', 'p95 ms', 'max ms', 'mean ms'], rows));
  console.log('');
  if (full) console.log(`incremental is ${result.speedup}x faster than a full analysis (median)`);
  console.log(`target median <= ${TARGETS.medianMs} ms: ${pass.median ? 'PASS' : 'FAIL'} (${fmtMs(inc.median)} ms)`);
  console.log(`target p95    <= ${TARGETS.p95Ms} ms: ${pass.p95 ? 'PASS' : 'FAIL'} (${fmtMs(inc.p95)} ms)`);
  console.log(`consistency: ${checks - mismatches}/${checks} incremental results equal a full analysis${mismatches ? '  <-- MISMATCH: incremental analysis is wrong' : ''}`);
  console.log(`written ${out}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`latency: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}

module.exports = { editSites };
