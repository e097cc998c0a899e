// `npm run test:nvim`: the Neovim setup of docs/editors.md, run for real in `nvim --headless`.
// The config block marked `test:nvim-config` is taken from the docs verbatim (only the server path
// is filled in), so the documented setup is the tested one. test/nvim/drive.lua then does what a
// user does (see its header) and reports what it saw; this script checks that report and the file
// Neovim wrote. Written for Neovim 0.7 (Debian 12's package), the oldest version the docs cover.
//
// DG_NVIM points at another nvim binary; DG_NVIM_KEEP=1 keeps the temporary directory.

import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const NVIM = process.env['DG_NVIM'] ?? 'nvim';
const SERVER = path.join(REPO_ROOT, 'server', 'out', 'server.js');
const DOCS = path.join(REPO_ROOT, 'docs', 'editors.md');
const SAMPLE = path.join(REPO_ROOT, 'test', 'nvim', 'notes.py');
const DRIVER = path.join(REPO_ROOT, 'test', 'nvim', 'drive.lua');
const MARKER = '<!-- test:nvim-config';
const PLACEHOLDER = '/path/to/dynamo-guard/server/out/server.js';
/** The driver waits up to 30 s per step; this only stops a Neovim that hangs. */
const KILL_AFTER_MS = 150000;

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

interface Seen {
  code: string;
  severity: number;
  lnum: number;
  col: number;
  message: string;
}

interface Report {
  ok: boolean;
  error?: string;
  filetype?: string;
  nvim?: { major: number; minor: number; patch: number };
  steps: {
    initial?: Seen[];
    menus?: string[][];
    fixed?: Seen[];
    documentation?: { file: string; windows: number };
    scan?: string[];
    reconfigured?: Seen[];
    config?: Seen[];
  };
}

/** The Lua blocks that follow the marker comments in docs/editors.md, in order. */
export function documentedConfig(markdown: string): string {
  const blocks: string[] = [];
  for (let at = markdown.indexOf(MARKER); at >= 0; at = markdown.indexOf(MARKER, at + MARKER.length)) {
    const block = /^[^\n]*\n```lua\n([\s\S]*?)```/.exec(markdown.slice(at));
    if (!block) throw new Error(`no lua block right after the ${MARKER} comment at offset ${at} of ${DOCS}`);
    blocks.push(block[1]!);
  }
  if (blocks.length < 3) throw new Error(`expected the config, showDocumentation and DynamoGuardScan blocks in ${DOCS}, found ${blocks.length}`);
  const lua = blocks.join('\n');
  if (!lua.includes(PLACEHOLDER)) throw new Error(`the documented config does not mention ${PLACEHOLDER}`);
  return lua.split(PLACEHOLDER).join(SERVER);
}

function codes(list: Seen[] | undefined): string[] {
  return (list ?? []).map((d) => d.code);
}

function scanJson(file: string): Array<{ rule: string }> {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'dynamo-guard.js'), 'scan', file, '--format', 'json', '--exit-zero'], {
    cwd: path.dirname(file),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`dynamo-guard scan failed (${result.status}): ${result.stderr}`);
  return (JSON.parse(result.stdout) as { findings: Array<{ rule: string }> }).findings;
}

function runNvim(dir: string, init: string, file: string, resultFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NVIM, ['--headless', '-n', '-i', 'NONE', '-u', init, '-c', `luafile ${DRIVER}`, file], {
      cwd: dir,
      env: { ...process.env, DG_NVIM_RESULT: resultFile, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function main(): Promise<void> {
  const version = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(`${NVIM} not found: install Neovim (Debian: apt-get install neovim) or set DG_NVIM`);
  }
  if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} not found: run npm run build`);
  console.log(`${version.stdout.split('\n')[0]}`);

  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-nvim-')));
  try {
    const init = path.join(dir, 'init.lua');
    fs.writeFileSync(init, `${documentedConfig(fs.readFileSync(DOCS, 'utf8'))}\nvim.cmd('filetype on')\n`);
    const file = path.join(dir, 'notes.py');
    fs.copyFileSync(SAMPLE, file);
    // A configuration mistake: the server must report it in the file and keep every rule on.
    const pyproject = path.join(dir, 'pyproject.toml');
    fs.writeFileSync(pyproject, '[tool.dynamo-guard]\nextend-ignor = ["DG202"]\n');
    // Never opened: its findings can only come from :DynamoGuardScan.
    fs.copyFileSync(SAMPLE, path.join(dir, 'other.py'));
    const resultFile = path.join(dir, 'result.json');

    const started = Date.now();
    const run = await runNvim(dir, init, file, resultFile);
    if (!fs.existsSync(resultFile)) throw new Error(`nvim exited (${run.code}) without a report:\n${run.output}`);
    const report = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Report;
    if (!report.ok) throw new Error(`in Neovim: ${report.error}\nseen: ${JSON.stringify(report.steps, null, 2)}\n${run.output}`);
    const { initial, menus, fixed, documentation, scan, reconfigured, config } = report.steps;
    const offered = menus?.[0];

    assert.strictEqual(report.filetype, 'python');
    const dg101 = initial?.find((d) => d.code === 'DG101');
    const dg201 = initial?.find((d) => d.code === 'DG201');
    assert.ok(dg101 && dg201, `expected DG101 and DG201, saw ${JSON.stringify(initial)}`);
    // Anchored on `get_item` (line 12, 0-based 11) as RULES.md says.
    const line = fs.readFileSync(SAMPLE, 'utf8').split('\n')[dg101.lnum] ?? '';
    assert.strictEqual(line.slice(dg101.col, dg101.col + 'get_item'.length), 'get_item', `DG101 at ${dg101.lnum}:${dg101.col}`);
    assert.strictEqual(dg101.severity, SEVERITY.error);
    // The settings reached the server: DG201 is a warning by default, `info` in the config.
    assert.strictEqual(dg201.severity, SEVERITY.info, 'DG201 should have the severity of the documented settings (info)');
    const fix = offered?.find((t) => t.includes('Insert a 403 guard') || t.includes("Check that the fetched item's owner"));
    assert.ok(fix, `DG101's fix should be offered: ${JSON.stringify(offered)}`);
    assert.ok(offered?.some((t) => t.includes('Disable DG101 for this line')), `code actions offered: ${JSON.stringify(offered)}`);
    assert.deepStrictEqual(codes(fixed), ['DG201'], 'after the fix only DG201 should remain');
    assert.strictEqual(documentation?.file, path.join(REPO_ROOT, 'docs', 'rules', 'DG201.md'), 'Show documentation opens the rule page');
    assert.strictEqual(documentation?.windows, 2, 'in a split');
    assert.match(scan?.[0] ?? '', /^DynamoGuard: \d+ findings in 2 files$/, `scan messages: ${JSON.stringify(scan)}`);
    assert.deepStrictEqual(codes(reconfigured), [], 'didChangeConfiguration with DG201 off should clear it');

    const mistake = config?.[0];
    assert.ok(mistake && mistake.lnum === 1 && mistake.col === 0, `the unknown key should be reported at 2:1, saw ${JSON.stringify(config)}`);
    assert.match(mistake.message, /unknown key "extend-ignor".*did you mean "extend-ignore"/);
    assert.strictEqual(fs.readFileSync(pyproject, 'utf8'), '[tool.dynamo-guard]\nextend-ignore = ["DG202"]\n', 'the quick fix corrects the key');
    const written = fs.readFileSync(file, 'utf8');
    // The guard compares the key or the fetched item's owner with the caller, then refuses.
    assert.match(written, /^\s+if .*(note_id|"owner_id"\)) != user\.id:\n\s+raise HTTPException\(status_code=40[34]/m, `the written file should hold the guard:\n${written}`);
    assert.match(written, /^from fastapi import .*HTTPException/m, 'the fix should import HTTPException');
    const after = scanJson(file).map((f) => f.rule);
    assert.ok(!after.includes('DG101'), `the CLI still reports DG101 in the written file: ${after.join(', ')}`);

    const v = report.nvim;
    console.log(`ok: Neovim ${v ? `${v.major}.${v.minor}.${v.patch}` : '?'} with the documented config: diagnostics ${codes(initial).join(', ')}` +
      ` (DG201 as info), "${fix}" applied and written, DG101 gone, DG201's page in a split, "${scan?.[0]}",` +
      ` DG201 turned off by didChangeConfiguration, pyproject.toml's misspelled key reported and fixed (${Date.now() - started} ms)`);
  } finally {
    if (process.env['DG_NVIM_KEEP'] === '1') console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`test:nvim failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
