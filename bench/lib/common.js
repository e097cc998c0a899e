'use strict';
// Small helpers shared by the benchmark scripts: statistics, environment description, the built
// analyzer, result files and plain-text tables.

const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const CORPUS_DIR = path.join(ROOT, 'bench', 'corpus');

/** Nearest-rank percentile of an ascending array (p in 0..100). */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    min: round(sorted[0]),
    median: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]),
    mean: round(sum / sorted.length),
  };
}

function round(x, digits = 3) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** What the numbers were measured on: needed to compare two result files at all. */
function environment() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    loadAverage: os.loadavg().map((x) => round(x, 2)),
  };
}

/** The compiled analyzer (server/out). Exits with a clear message when it is not built. */
function loadAnalyzer() {
  const entry = path.join(ROOT, 'server', 'out', 'analysis', 'index.js');
  if (!fs.existsSync(entry)) {
    console.error(`bench: ${path.relative(process.cwd(), entry)} is missing; build first (npx tsc -b, or npm run bench which builds)`);
    process.exit(2);
  }
  return require(entry);
}

function writeResult(name, data) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(process.cwd(), file) || file;
}

/** Left-aligned first column, right-aligned others. */
function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

function fmtMs(x) {
  return Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '-';
}

module.exports = { ROOT, RESULTS_DIR, CORPUS_DIR, percentile, stats, round, environment, loadAnalyzer, writeResult, table, fmtMs };
