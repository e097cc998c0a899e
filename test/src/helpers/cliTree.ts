// Temporary project trees and a real `node bin/dynamo-guard.js` process for the CLI tests.

import { spawn, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'dynamo-guard.js');

/** The canonical smoke sample: DG101 on line 7 (`get_item`), DG102 on line 6 (`get_user`). */
export const SMOKE_SAMPLE = [
  'import boto3',
  'from flask import Flask',
  'app = Flask(__name__)',
  'table = boto3.resource("dynamodb").Table("users")',
  '@app.route("/users/<user_id>")',
  'def get_user(user_id):',
  '    return table.get_item(Key={"user_id": user_id})["Item"]',
  '',
].join('\n');

export const CLEAN_SAMPLE = 'def add(a, b):\n    return a + b\n';

/** File contents by relative path (`/` separators); a Buffer is written as is. */
export type TreeSpec = Record<string, string | Buffer>;

export function makeTree(spec: TreeSpec, prefix = 'dg-cli-'): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  writeTree(root, spec);
  return root;
}

export function writeTree(root: string, spec: TreeSpec): void {
  for (const [rel, content] of Object.entries(spec)) {
    const file = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export function removeTree(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a real child process. Asynchronous (not spawnSync) so a hang shows up as a
 * mocha timeout rather than freezing the run. CI=1 and NO_COLOR=1 keep the output plain.
 */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const options: SpawnOptions = { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], options);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface JsonFinding {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  name: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** Related information; `path` is the file the location is in (a layer in another module). */
  related: Array<{ path: string; line: number; column: number; endLine: number; endColumn: number; message: string }>;
  fixes: Array<{ title: string; edits: Array<{ line: number; column: number; endLine: number; endColumn: number; newText: string }> }>;
}

export interface JsonReport {
  version: string;
  findings: JsonFinding[];
  files: number;
  lines: number;
  durationMs: number;
  errors: Array<{ path: string; message: string }>;
}

export function parseReport(result: CliResult): JsonReport {
  try {
    return JSON.parse(result.stdout) as JsonReport;
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}); exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
