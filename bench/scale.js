#!/usr/bin/env node
'use strict';
// Issue 9's scale figures in one run, as ratios measured minutes apart on the same files (raw
// times on a shared machine mean little):
//   1. `scan --jobs 1` / bare tree-sitter parse (bench/bare-parse.js), on the Python standard
//      library of this machine and on the generated DynamoDB-heavy corpus (bench/corpus/app,
//      > 100k lines; gen-corpus.js builds it, our own code);
//   2. `--jobs 2` speed-up over `--jobs 1` on both;
//   3. re-scan of an unchanged tree / cold scan (content-hash cache in a fresh temporary dir);
//   4. peak RSS (sum over the process tree: the CLI and its analysis processes) on ~1M lines
//      (the DynamoDB corpus copied ten times into a temporary dir) for each --jobs;
//   5. start-up: `dynamo-guard --version`, median of 15.
// Targets (issue 9): 1. <= 1.5x stdlib, <= 2.5x DynamoDB; 2. >= 1.7x; 3. <= 10 %; 4. <= 200 MB;
// 5. <= 0.12 s. Exit 0 whatever the figures: these are measurements, not tests.
//
// Usage: node bench/scale.js [--skip-million] [--copies N] [--jobs-rss 1,2,4] [--stdlib DIR | --no-stdlib] [--cli OTHER/bin/dynamo-guard.js]
// Writes bench/results/scale.json.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { performance } = require('perf_hooks');
const { CORPUS_DIR, ROOT, environment, round, writeResult } = require('./lib/common');
const { ensureCorpus } = require('./gen-corpus');

let CLI = path.join(ROOT, 'bin', 'dynamo-guard.js');
/** Older builds (for a before/after comparison) have no cache options. */
let cacheFlags = true;
const BARE = path.join(__dirname, 'bare-parse.js');

function parseArgs(argv) {
  const opts = { million: true, jobsRss: [1, 2, 4], stdlib: undefined, copies: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-million') opts.million = false;
    else if (a === '--jobs-rss') opts.jobsRss = String(argv[++i]).split(',').map(Number);
    else if (a === '--stdlib') opts.stdlib = argv[++i];
    else if (a === '--cli') CLI = path.resolve(argv[++i]);
    else if (a === '--copies') opts.copies = Number(argv[++i]);
    else if (a === '--no-stdlib') opts.noStdlib = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * The standard library's top-level modules (*.py directly in sysconfig's stdlib: ~170 files,
 * ~130k lines on CPython 3.11), copied to a temporary dir so neither run writes near them. The
 * whole tree (tests, idlelib...) is ~6x larger and takes minutes per run on a shared machine.
 */
function stdlibSample() {
  const r = spawnSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const src = r.stdout.trim();
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-bench-stdlib-'));
  for (const f of fs.readdirSync(src)) if (f.endsWith('.py') && fs.statSync(path.join(src, f)).isFile()) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  return dst;
}

/**
 * Sum of VmRSS over `pid` and its descendants (Linux /proc), in KB; `hwm` gets each process's
 * own peak (VmHWM), the figure GNU time and `ru_maxrss` give.
 */
function treeRssKb(pid, hwm = new Map()) {
  let total = 0;
  const stack = [pid];
  const seen = new Set();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]);
      const h = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (h) hwm.set(p, Math.max(hwm.get(p) ?? 0, Number(h[1])));
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        for (const c of fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) stack.push(Number(c));
      }
    } catch {
      // gone
    }
  }
  return total;
}

/** Run node with `args`; wall time, CPU time (user+sys of the tree), peak tree RSS, stdout. */
function run(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    const hwm = new Map();
    const timer = setInterval(() => (peak = Math.max(peak, treeRssKb(child.pid, hwm))), 50);
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - t0;
      // 2: some files are under `errors` (reported, not fatal to the figures).
      if (code !== 0 && code !== 1 && code !== 2) return reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(0, 2000)}`));
      resolve({ wallMs, peakRssMb: peak / 1024, peakProcessMb: Math.max(0, ...hwm.values()) / 1024, out });
    });
  });
}

async function scan(dir, extra) {
  if (!cacheFlags) extra = extra.filter((a, i) => a !== '--no-cache' && a !== '--cache-dir' && extra[i - 1] !== '--cache-dir');
  const r = await run([CLI, 'scan', dir, '--format', 'json', '--exit-zero', '--no-progress', ...extra]);
  const report = JSON.parse(r.out);
  return { ...r, files: report.files, lines: report.lines, errors: report.errors.length, findings: report.findings.length };
}

async function bare(dir) {
  const r = await run([BARE, dir]);
  return { ...r, ...JSON.parse(r.out) };
}

async function corpusFigures(name, dir) {
  const tmpCache = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-bench-cache-'));
  try {
    const parse = await bare(dir);
    const j1 = await scan(dir, ['--jobs', '1', '--no-cache']);
    const j2 = await scan(dir, ['--jobs', '2', '--no-cache']);
    const parse2 = await bare(dir);
    const cold = await scan(dir, ['--jobs', '1', '--cache-dir', tmpCache]);
    const warm = await scan(dir, ['--jobs', '1', '--cache-dir', tmpCache]);
    const parseMs = (parse.wallMs + parse2.wallMs) / 2;
    return {
      corpus: name,
      dir,
      files: j1.files,
      lines: j1.lines,
      bareParseFiles: parse.files,
      bareParseMs: round(parseMs),
      jobs1Ms: round(j1.wallMs),
      jobs2Ms: round(j2.wallMs),
      coldMs: round(cold.wallMs),
      warmMs: round(warm.wallMs),
      ratioJobs1ToParse: round(j1.wallMs / parseMs, 2),
      speedupJobs2: round(j1.wallMs / j2.wallMs, 2),
      rescanFraction: round(warm.wallMs / cold.wallMs, 3),
      findings: j1.findings,
      errors: j1.errors,
      sameFindingsJobs2: j1.out.replace(/"durationMs": \d+/, '') === j2.out.replace(/"durationMs": \d+/, ''),
      peakRssMbJobs1: round(j1.peakRssMb),
      peakRssMbJobs2: round(j2.peakRssMb),
      peakProcessMbJobs1: round(j1.peakProcessMb),
      peakProcessMbJobs2: round(j2.peakProcessMb),
    };
  } finally {
    fs.rmSync(tmpCache, { recursive: true, force: true });
  }
}

function copyMillion(src, copies) {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-bench-1m-'));
  for (let i = 0; i < copies; i++) fs.cpSync(src, path.join(dst, `copy${i}`), { recursive: true });
  return dst;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureCorpus();
  cacheFlags = spawnSync(process.execPath, [CLI, 'scan', '--help'], { encoding: 'utf8' }).stdout.includes('--no-cache');
  const results = { environment: environment(), corpora: [], million: [], startup: undefined };

  const startups = [];
  for (let i = 0; i < 15; i++) startups.push((await run([CLI, '--version'])).wallMs);
  startups.sort((a, b) => a - b);
  const node = [];
  for (let i = 0; i < 15; i++) node.push((await run(['-e', '0'])).wallMs);
  node.sort((a, b) => a - b);
  // A scan of one small file: the parent, one analysis process and the wasm parser, end to end.
  const small = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-bench-small-'));
  fs.writeFileSync(path.join(small, 'handler.py'), 'import boto3\n\ntable = boto3.resource("dynamodb").Table("t")\n\n\ndef get(event, context):\n    return table.get_item(Key={"id": event["id"]})\n');
  const smalls = [];
  for (let i = 0; i < 5; i++) smalls.push((await scan(small, ['--no-cache'])).wallMs);
  smalls.sort((a, b) => a - b);
  fs.rmSync(small, { recursive: true, force: true });
  results.startup = { versionMedianMs: round(startups[7]), bareNodeMedianMs: round(node[7]), smallScanMedianMs: round(smalls[2]) };
  console.log(`start-up: dynamo-guard --version median ${results.startup.versionMedianMs} ms (node -e 0: ${results.startup.bareNodeMedianMs} ms); scan of one small file ${results.startup.smallScanMedianMs} ms`);

  const sample = opts.stdlib || opts.noStdlib ? undefined : stdlibSample();
  const stdlib = opts.stdlib ?? sample;
  const corpora = [...(stdlib ? [['stdlib', stdlib]] : []), ['dynamodb', path.join(CORPUS_DIR, 'app')]];
  for (const [name, dir] of corpora) {
    const f = await corpusFigures(name, dir);
    results.corpora.push(f);
    console.log(`${name}: ${f.files} files, ${f.lines} lines: jobs1/parse ${f.ratioJobs1ToParse}x, jobs2 speed-up ${f.speedupJobs2}x, re-scan ${round(f.rescanFraction * 100, 1)} % of cold, RSS tree ${f.peakRssMbJobs1}/${f.peakRssMbJobs2} MB, largest process ${f.peakProcessMbJobs1}/${f.peakProcessMbJobs2} MB (jobs 1/2), ${f.findings} findings, ${f.errors} errors`);
  }

  if (opts.million) {
    const dir = copyMillion(path.join(CORPUS_DIR, 'app'), opts.copies);
    try {
      for (const jobs of opts.jobsRss) {
        const r = await scan(dir, ['--jobs', String(jobs), '--no-cache']);
        results.million.push({ jobs, lines: r.lines, wallMs: round(r.wallMs), peakRssMb: round(r.peakRssMb), peakProcessMb: round(r.peakProcessMb) });
        console.log(`${r.lines} lines, --jobs ${jobs}: ${round(r.wallMs / 1000, 1)} s, peak RSS ${round(r.peakRssMb)} MB (process tree), ${round(r.peakProcessMb)} MB (largest process)`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (sample) fs.rmSync(sample, { recursive: true, force: true });
  results.cli = CLI;
  if (CLI === path.join(ROOT, 'bin', 'dynamo-guard.js')) writeResult('scale.json', results);
  else console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
