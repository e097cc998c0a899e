#!/usr/bin/env node
'use strict';
// CLI throughput on the synthetic corpus, as a user runs it: the real CLI as a child process
//   node bin/dynamo-guard.js scan bench/corpus --format json --exit-zero --no-progress --jobs N
// for N = 1 and 2, then bench/bare-parse.js (read + tree-sitter parse of the same files, nothing
// else) measured the same way. The ratio CLI / bare parse is the number to watch: both run on
// the same machine in the same minute, so it survives machine noise far better than raw times.
//
// Per run we record:
//   wall       time from spawn to exit, measured here (includes node start-up and wasm init);
//   lines/s    the JSON report's `lines` / wall;
//   peak RSS   GNU time's %M when /usr/bin/time is available: the peak resident set of the
//              largest single process in the tree (the whole scan when --jobs uses worker
//              threads, which share the process); and, on Linux, the peak of the SUM of VmRSS over
//              the process tree, sampled every 100 ms from /proc (counts worker processes too, but
//              can miss a short spike).
//
// Usage: node bench/throughput.js [--repeat N] [--jobs 1,2]
// The wall time reported for N repeats is the median; peak RSS the maximum.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { performance } = require('perf_hooks');
const { CORPUS_DIR, ROOT, environment, round, table, writeResult } = require('./lib/common');
const { ensureCorpus } = require('./gen-corpus');

const CLI = path.join(ROOT, 'bin', 'dynamo-guard.js');
const BARE = path.join(__dirname, 'bare-parse.js');

function parseArgs(argv) {
  const opts = { repeat: 1, jobs: [1, 2] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeat') opts.repeat = Number(argv[++i]);
    else if (a === '--jobs') opts.jobs = String(argv[++i]).split(',').map(Number);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.repeat) || opts.repeat < 1) throw new Error('--repeat must be a positive integer');
  if (!opts.jobs.every((j) => Number.isInteger(j) && j > 0)) throw new Error('--jobs must be a comma-separated list of positive integers');
  return opts;
}

/** GNU time with -f/-o support (BusyBox and BSD time lack -o or %M). */
function gnuTime() {
  const bin = '/usr/bin/time';
  if (!fs.existsSync(bin)) return undefined;
  const probe = path.join(os.tmpdir(), `dg-time-probe-${process.pid}`);
  const r = spawnSync(bin, ['-f', '%M', '-o', probe, process.execPath, '-e', '0'], { stdio: 'ignore' });
  let ok = false;
  try {
    ok = r.status === 0 && /^\d+\s*$/m.test(fs.readFileSync(probe, 'utf8'));
  } catch {
    ok = false;
  }
  fs.rmSync(probe, { force: true });
  return ok ? bin : undefined;
}

/** Sum of VmRSS (kB) over `root` and its descendants, from /proc; undefined off Linux. */
function treeRssKb(root) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  const children = new Map();
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      // exited between the listing and the read
    }
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return total;
}

/** Run `node <args>` once; resolve with wall time, exit status, output and memory peaks. */
function measure(nodeArgs, timeBin) {
  return new Promise((resolve) => {
    const timeOut = path.join(os.tmpdir(), `dg-time-${process.pid}-${Date.now()}`);
    const [cmd, args] = timeBin ? [timeBin, ['-f', '%M %e', '-o', timeOut, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const stdout = [];
    const stderr = [];
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let treePeakKb = 0;
    const sample = () => {
      const kb = treeRssKb(child.pid);
      if (kb !== undefined) treePeakKb = Math.max(treePeakKb, kb);
    };
    const timer = setInterval(sample, 100);
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    child.on('error', (e) => {
      clearInterval(timer);
      resolve({ status: null, error: e.message, wallMs: performance.now() - t0, stdout: '', stderr: '' });
    });
    child.on('close', (status, signal) => {
      const wallMs = performance.now() - t0;
      clearInterval(timer);
      let maxRssKb;
      if (timeBin) {
        try {
          // GNU time prefixes "Command exited with non-zero status N" when the command fails.
          const last = fs.readFileSync(timeOut, 'utf8').trim().split('\n').pop();
          maxRssKb = Number(last.split(' ')[0]);
        } catch {
          maxRssKb = undefined;
        }
        fs.rmSync(timeOut, { force: true });
      }
      resolve({
        status,
        signal,
        wallMs,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        maxRssKb,
        treePeakKb: treePeakKb || undefined,
      });
    });
  });
}

/** Why the CLI cannot be benchmarked yet, or undefined when it can. */
function cliProblem() {
  if (!fs.existsSync(CLI)) return `${path.relative(ROOT, CLI)} does not exist yet`;
  const r = spawnSync(process.execPath, [CLI, '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return `\`dynamo-guard --version\` failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`;
  return undefined;
}

function countPyFiles(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countPyFiles(path.join(dir, e.name));
    else if (e.name.endsWith('.py')) n++;
  }
  return n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Run a configuration `repeat` times and summarise; `parse` turns stdout into {files, lines}. */
async function runConfig(name, nodeArgs, repeat, timeBin, parse) {
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    const r = await measure(nodeArgs, timeBin);
    if (r.status !== 0) {
      return { name, status: 'failed', exitCode: r.status, signal: r.signal ?? null, error: r.error ?? (r.stderr.trim().split('\n').slice(-5).join('\n') || r.stdout.slice(0, 500)) };
    }
    let report;
    try {
      report = parse(r.stdout);
    } catch (e) {
      return { name, status: 'failed', exitCode: r.status, error: `output is not the expected JSON: ${e.message}; stdout starts ${JSON.stringify(r.stdout.slice(0, 200))}` };
    }
    runs.push({ ...r, report });
  }
  const wallMs = median(runs.map((r) => r.wallMs));
  const report = runs[0].report;
  const peak = (k) => (runs.every((r) => r[k] !== undefined) ? Math.max(...runs.map((r) => r[k])) : undefined);
  const maxRssKb = peak('maxRssKb');
  const treePeakKb = peak('treePeakKb');
  return {
    name,
    status: 'ok',
    command: `node ${nodeArgs.map((a) => (path.isAbsolute(a) ? path.relative(ROOT, a) : a)).join(' ')}`,
    repeats: runs.length,
    wallMs: round(wallMs, 1),
    wallMsRuns: runs.map((r) => round(r.wallMs, 1)),
    internalDurationMs: report.durationMs ?? null,
    files: report.files,
    lines: report.lines,
    findings: report.findings ?? null,
    fileErrors: report.errors ?? null,
    linesPerSecond: Math.round(report.lines / (wallMs / 1000)),
    peakRssMb: maxRssKb !== undefined ? round(maxRssKb / 1024, 1) : null,
    peakTreeRssMb: treePeakKb !== undefined ? round(treePeakKb / 1024, 1) : null,
  };
}

function parseCli(stdout) {
  const j = JSON.parse(stdout);
  if (typeof j.lines !== 'number' || typeof j.files !== 'number') throw new Error('no files/lines fields');
  return { files: j.files, lines: j.lines, durationMs: j.durationMs, findings: Array.isArray(j.findings) ? j.findings.length : null, errors: Array.isArray(j.errors) ? j.errors.length : null };
}

function parseBare(stdout) {
  const j = JSON.parse(stdout);
  return { files: j.files, lines: j.lines, durationMs: j.durationMs, findings: null, errors: j.syntaxErrorFiles };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const corpus = ensureCorpus();
  const corpusFiles = countPyFiles(CORPUS_DIR);
  const timeBin = gnuTime();
  const relCorpus = path.relative(ROOT, CORPUS_DIR);

  const results = [];
  const problem = cliProblem();
  if (problem) {
    for (const j of opts.jobs) results.push({ name: `cli --jobs ${j}`, status: 'unavailable', error: `CLI not ready: ${problem}` });
  } else {
    for (const j of opts.jobs) {
      const args = [CLI, 'scan', relCorpus, '--format', 'json', '--exit-zero', '--no-progress', '--jobs', String(j)];
      results.push(await runConfig(`cli --jobs ${j}`, args, opts.repeat, timeBin, parseCli));
    }
  }
  const bare = await runConfig('bare parse', [BARE, CORPUS_DIR], opts.repeat, timeBin, parseBare);
  results.push(bare);

  for (const r of results) {
    if (r.status === 'ok' && bare.status === 'ok' && r !== bare) r.ratioToBareParse = round(r.wallMs / bare.wallMs, 2);
    if (r.status === 'ok' && r.files !== corpusFiles) {
      r.warning = `analysed ${r.files} of the ${corpusFiles} .py files under ${relCorpus}` + (r.fileErrors ? ` (${r.fileErrors} reported as errors)` : ' (skipped by .gitignore or excludes?)');
    }
  }

  const result = {
    benchmark: 'throughput',
    environment: environment(),
    corpus: { dir: relCorpus, pyFiles: corpusFiles, generated: corpus.corpus, big: corpus.big },
    memoryMeasurement: {
      peakRssMb: timeBin ? `GNU time %M (${timeBin}): peak RSS of the largest single process` : 'unavailable (no GNU /usr/bin/time)',
      peakTreeRssMb: fs.existsSync('/proc/self/status') ? 'sum of VmRSS over the process tree, sampled every 100 ms from /proc' : 'unavailable (no /proc)',
    },
    runs: results,
  };
  const out = writeResult('throughput.json', result);

  console.log(`throughput: ${relCorpus} (${corpusFiles} .py files, ${corpus.corpus.lines + corpus.big.lines} lines), ${opts.repeat} run(s) each, cores: ${os.cpus().length}\n`);
  const rows = results.map((r) =>
    r.status === 'ok'
      ? [r.name, r.files, r.lines, r.wallMs.toFixed(0), r.linesPerSecond, r.peakRssMb ?? '-', r.peakTreeRssMb ?? '-', r.ratioToBareParse ?? (r === bare ? '1.00' : '-'), r.findings ?? '-']
      : [r.name, '-', '-', '-', '-', '-', '-', '-', r.status.toUpperCase()],
  );
  console.log(table(['', 'files', 'lines', 'wall ms', 'lines/s', 'peak RSS MB', 'tree RSS MB', 'x bare', 'findings'], rows));
  for (const r of results) {
    if (r.status !== 'ok') console.log(`\n${r.name}: ${r.status}: ${r.error}`);
    if (r.warning) console.log(`\n${r.name}: WARNING: ${r.warning}`);
  }
  console.log(`\n"x bare" = wall time / wall time of the bare tree-sitter parse of the same files in this run.`);
  console.log(`written ${out}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`throughput: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
