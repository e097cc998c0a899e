#!/usr/bin/env node
// The logic of action.yml's scan step, kept here so it can be run and tested outside GitHub:
// scan the inputs' paths to a SARIF file (filtered by the baseline), then decide whether the job
// fails, according to fail-on. It never fails the step itself: the SARIF upload runs first, and
// action.yml's last step fails the job when `failed` is true.
//
// Inputs come as GitHub passes them to composite actions' scripts: environment variables
// INPUT_PATHS, INPUT_BASELINE, INPUT_FAIL_ON, INPUT_SARIF_FILE, INPUT_ARGS. Outputs are appended
// to $GITHUB_OUTPUT (sarif-file, findings, errors, exit-code, failed).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'dynamo-guard.js');
/** SARIF levels at or above each fail-on threshold. */
const FAILING_LEVELS = {
  error: ['error'],
  warning: ['error', 'warning'],
  note: ['error', 'warning', 'note'],
  info: ['error', 'warning', 'note'],
  any: ['error', 'warning', 'note', 'none'],
  never: [],
  none: [],
};

const input = (name, fallback = '') => (process.env[`INPUT_${name.replace(/-/g, '_').toUpperCase()}`] ?? '').trim() || fallback;
/** Whitespace- or newline-separated, like other actions' multi-value inputs. */
const words = (text) => text.split(/\s+/).filter(Boolean);

function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  if (file) fs.appendFileSync(file, `${name}=${value}\n`);
  else process.stdout.write(`${name}=${value}\n`);
}

function main() {
  const failOn = input('fail-on', 'error').toLowerCase();
  if (!(failOn in FAILING_LEVELS)) {
    process.stdout.write(`::error title=DynamoGuard::fail-on must be one of ${Object.keys(FAILING_LEVELS).join(', ')} (got "${failOn}")\n`);
    setOutput('failed', 'true');
    return 2;
  }
  const sarifFile = input('sarif-file', 'dynamo-guard.sarif');
  const baseline = input('baseline');
  const args = ['scan', ...words(input('paths', '.')), '--format', 'sarif', '--output', sarifFile, '--no-progress', '--exit-zero'];
  if (baseline) {
    if (fs.existsSync(baseline)) args.push('--baseline', baseline);
    else process.stdout.write(`::warning title=DynamoGuard::baseline ${baseline} not found: every finding is reported (create it with: npx dynamo-guard scan --write-baseline ${baseline})\n`);
  }
  args.push(...words(input('args')));
  process.stdout.write(`dynamo-guard ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = run.status ?? 2;
  setOutput('exit-code', String(code));
  setOutput('sarif-file', sarifFile);
  if (code !== 0 || !fs.existsSync(sarifFile)) {
    // Usage/configuration error, or a file that could not be analysed: never a silent pass.
    process.stdout.write(`::error title=DynamoGuard::the scan failed (exit ${code}); see the log above\n`);
    setOutput('failed', 'true');
    return 0;
  }
  const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
  const results = sarif.runs.flatMap((r) => r.results ?? []);
  const failing = results.filter((r) => FAILING_LEVELS[failOn].includes(r.level ?? 'warning'));
  setOutput('findings', String(results.length));
  setOutput('failed', failing.length > 0 ? 'true' : 'false');
  process.stdout.write(`${results.length} findings, ${failing.length} at or above fail-on=${failOn}\n`);
  return 0;
}

process.exitCode = main();
