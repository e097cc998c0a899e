#!/usr/bin/env node
'use strict';
// `npm run bench`: generate the corpus if it is missing, then the editor-latency and the CLI
// throughput benchmarks, each in its own process so one cannot warm up or pollute the other.
// Results: bench/results/latency.json and bench/results/throughput.json.
//
// Usage: node bench/run.js [--quick]   (--quick: fewer iterations, for a smoke run)

const path = require('path');
const { spawnSync } = require('child_process');
const { ensureCorpus } = require('./gen-corpus');

const quick = process.argv.includes('--quick');
const unknown = process.argv.slice(2).filter((a) => a !== '--quick');
if (unknown.length) {
  console.error(`bench: unknown argument(s) ${unknown.join(' ')}`);
  process.exit(2);
}

ensureCorpus();

const steps = [
  ['latency', [path.join(__dirname, 'latency.js'), ...(quick ? ['--iterations', '60', '--sizes', '3700'] : [])]],
  ['throughput', [path.join(__dirname, 'throughput.js'), ...(quick ? ['--jobs', '1'] : [])]],
];
let failed = 0;
for (const [name, args] of steps) {
  console.log(`\n=== ${name} ===\n`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${name} exited with ${r.status ?? r.signal}`);
  }
}
// Missed targets are reported, not failed: only a benchmark that could not run is an error.
process.exit(failed ? 1 : 0);
