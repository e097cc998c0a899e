// code-server as the test drives it: the packaged .vsix installed through its own CLI (the path a
// user takes), deterministic user settings, and a server on a free loopback port that is always
// killed with its whole process group (extension host and language server included).

import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { log, WEB_EXTENSION_HOST } from './env';

/** What the .vsix must put on disk for the extension to work (see .vscodeignore). */
const SHIPPED_FILES = [
  'package.json',
  'dist/extension.js',
  'dist/server.js',
  'dist/tree-sitter.wasm',
  'dist/tree-sitter-python.wasm',
  'dist/docs/rules/DG101.md',
];

export function codeServerVersion(bin: string): string {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60000 });
  if (result.status !== 0) throw new Error(`${bin} --version failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout.trim().split('\n')[0] ?? '';
}

/**
 * `code-server --install-extension dynamo-guard.vsix`. Returns the installed extension's directory
 * after checking that it holds what the extension loads at run time and that it is the only
 * extension (in particular no Python extension: `.py` must get its language id from VS Code's
 * built-in grammar).
 */
export function installExtension(bin: string, vsix: string, extensionsDir: string, userDataDir: string): string {
  const result = spawnSync(
    bin,
    ['--install-extension', vsix, '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
    { encoding: 'utf8', timeout: 120000 },
  );
  const output = `${result.stdout}\n${result.stderr}`.trim();
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  const installed = fs.readdirSync(extensionsDir).filter((name) => fs.statSync(path.join(extensionsDir, name)).isDirectory());
  const ours = installed.filter((name) => name.startsWith('dynamo-guard.dynamo-guard-'));
  if (ours.length !== 1 || installed.length !== 1) {
    throw new Error(`expected exactly the DynamoGuard extension in ${extensionsDir}, found ${JSON.stringify(installed)}`);
  }
  const dir = path.join(extensionsDir, ours[0]!);
  const missing = SHIPPED_FILES.filter((file) => !fs.existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    throw new Error(`the installed .vsix lacks ${missing.join(', ')} (check .vscodeignore and scripts/bundle.mjs)`);
  }
  return dir;
}

/**
 * User settings that make the workbench deterministic: no welcome page, walkthrough, tips, trust
 * prompt, update or recommendation notifications; and an editor that types literally (no
 * auto-closing, no suggestions, indentation kept from the previous line) so typed text is exactly
 * what ends up in the buffer.
 */
export function writeUserSettings(userDataDir: string): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.editor.enablePreview': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'files.autoSave': 'off',
    'editor.minimap.enabled': false,
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggestOnTriggerCharacters': false,
    'editor.wordBasedSuggestions': 'off',
    'editor.parameterHints.enabled': false,
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.autoSurround': 'never',
    'editor.autoIndent': 'keep',
    'editor.formatOnType': false,
    'editor.hover.delay': 300,
    'editor.lightbulb.enabled': 'on',
    'problems.defaultViewMode': 'tree',
    ...(WEB_EXTENSION_HOST ? { 'remote.extensionKind': { 'dynamo-guard.dynamo-guard': ['web'] } } : {}),
  };
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

export interface RunningCodeServer {
  url: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  bin: string;
  userDataDir: string;
  extensionsDir: string;
  folder: string;
  /** Scratch directory for code-server's config file. */
  tmpDir: string;
  logFile: string;
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const port = await freePort();
  // An explicit config file: whatever ~/.config/code-server/config.yaml says (password, port,
  // certificates) must not apply.
  const config = path.join(options.tmpDir, 'code-server.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env };
  for (const key of ['PASSWORD', 'HASHED_PASSWORD', 'PORT', 'CODE_SERVER_CONFIG', 'VSCODE_PROXY_URI']) delete env[key];
  const logFd = fs.openSync(options.logFile, 'w');
  const args = [
    '--config', config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    options.folder,
  ];
  // detached: its own process group, so stop() reaches the extension host and language server too.
  const child = spawn(options.bin, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
  fs.closeSync(logFd);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => killGroup(child, exited);
  try {
    await waitForHealth(url, exited, options.logFile, 60000);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`code-server ${child.pid} listening on ${url}`);
  return { url, stop };
}

async function killGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), delay(5000).then(() => true)]);
  // The extension host and language server may outlive the main process for a moment: always
  // finish the group off.
  signalGroup('SIGKILL');
  if (timedOut) await Promise.race([exited, delay(2000)]);
}

async function waitForHealth(url: string, exited: Promise<number | string>, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | string | undefined;
  void exited.then((how) => (gone = how));
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`code-server exited (${gone}) before answering:\n${tail(logFile)}`);
    if (await healthy(`${url}/healthz`)) return;
    await delay(200);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms:\n${tail(logFile)}`);
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
