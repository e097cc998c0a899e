// `npm run test:e2e` (after `npm run package`): the packaged extension in a real VS Code workbench.
// Installs dynamo-guard.vsix into code-server (VS Code 1.100 in the browser), opens a copy of
// examples/, drives the workbench with playwright-core and Debian's chromium, and checks what a
// user sees: squiggles, Problems rows, hovers, quick fixes, the workspace scan, status and output.
// Screenshots of every step go to .test-output/e2e/. Exits non-zero when any step fails.
//
// Tools come from test/e2e/setup.sh; DG_E2E_CODE_SERVER, DG_E2E_CHROMIUM and DG_E2E_VSIX point
// elsewhere, DG_E2E_KEEP=1 keeps the temporary directories, DG_E2E_DOCS_IMAGE=1 refreshes
// the docs' screenshots (docs/images/) from a passing run.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { codeServerVersion, installExtension, startCodeServer, tail, writeUserSettings, type RunningCodeServer } from './codeServer';
import { CHROMIUM_BIN, CODE_SERVER_BIN, KEEP_TEMP, log, OUTPUT_DIR, REPO_ROOT, requireFile, VSIX, WATCHDOG_MS } from './env';
import { COMMAND_STEPS } from './commandSteps';
import { CONFIG_STEPS } from './configSteps';
import { NOTEBOOK_STEPS } from './notebookSteps';
import { STEPS as MAIN_STEPS, type StepContext } from './steps';
import { Workbench } from './workbench';
import { createWorkspace } from './workspace';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VIEWPORT = { width: 1600, height: 1000 };
const STEP_TIMEOUT_MS = 150000;
/** DG_E2E_STEPS=<regex>: run only the steps whose title matches (and the essential first one). */
const ONLY = process.env['DG_E2E_STEPS'] ? new RegExp(process.env['DG_E2E_STEPS'], 'i') : undefined;
const STEPS = [...MAIN_STEPS, ...COMMAND_STEPS, ...NOTEBOOK_STEPS, ...CONFIG_STEPS];
/** Screenshot name suffix -> image of the README and the user guide (docs/extension/README.md). */
const DOCS_IMAGES: Array<[string, string]> = [
  ['-quick-fix-menu.png', path.join(REPO_ROOT, 'docs', 'images', 'quick-fix.png')],
  ['-hover.png', path.join(REPO_ROOT, 'docs', 'images', 'hover.png')],
  ['-scan-problems.png', path.join(REPO_ROOT, 'docs', 'images', 'scan-workspace.png')],
];

let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let tmpRoot: string | undefined;
let cleaningUp: Promise<void> | undefined;

/** Always runs, whatever failed: browser, then code-server's process group, then temp files. */
function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    await browser?.close().catch((error: unknown) => log(`closing chromium: ${String(error)}`));
    await codeServer?.stop().catch((error: unknown) => log(`stopping code-server: ${String(error)}`));
    if (tmpRoot) {
      // The logs (extension host, DynamoGuard output channel) are the first thing to read on failure.
      const logs = path.join(tmpRoot, 'user-data', 'logs');
      if (fs.existsSync(logs)) fs.cpSync(logs, path.join(OUTPUT_DIR, 'vscode-logs'), { recursive: true });
      if (KEEP_TEMP) log(`kept ${tmpRoot}`);
      else fs.rmSync(tmpRoot, { recursive: true, force: true });
    }
  })();
  return cleaningUp;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  requireFile(VSIX, 'run `npm run package` first (npm run test:e2e does)');
  requireFile(CODE_SERVER_BIN, 'run test/e2e/setup.sh, or set DG_E2E_CODE_SERVER');
  requireFile(CHROMIUM_BIN, 'run test/e2e/setup.sh (apt-get install chromium), or set DG_E2E_CHROMIUM');
  const dist = path.join(REPO_ROOT, 'dist', 'extension.js');
  if (fs.existsSync(dist) && fs.statSync(VSIX).mtimeMs < fs.statSync(dist).mtimeMs) {
    log(`warning: ${path.basename(VSIX)} is older than dist/: run \`npm run package\` to test the current code`);
  }
  fs.rmSync(OUTPUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });

  tmpRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-e2e-')));
  const userDataDir = path.join(tmpRoot, 'user-data');
  const extensionsDir = path.join(tmpRoot, 'extensions');
  fs.mkdirSync(extensionsDir);

  log(`code-server: ${CODE_SERVER_BIN} (${codeServerVersion(CODE_SERVER_BIN)})`);
  log(`installing ${path.relative(REPO_ROOT, VSIX)} with code-server --install-extension`);
  const extensionDir = installExtension(CODE_SERVER_BIN, VSIX, extensionsDir, userDataDir);
  log(`  installed ${path.basename(extensionDir)}; it is the only extension (no Python extension)`);
  writeUserSettings(userDataDir);
  const workspace = createWorkspace(REPO_ROOT, tmpRoot);
  log(`workspace: copy of examples/ plus generated modules at ${workspace}`);

  codeServer = await startCodeServer({
    bin: CODE_SERVER_BIN,
    userDataDir,
    extensionsDir,
    folder: workspace,
    tmpDir: tmpRoot,
    logFile: path.join(OUTPUT_DIR, 'code-server.log'),
  });

  // Signals are ours to handle (see the bottom of this file): playwright's own handlers would
  // re-raise them after closing the browser, killing this process before code-server is stopped.
  browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    args: CHROMIUM_ARGS,
    timeout: 60000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleLog = fs.createWriteStream(path.join(OUTPUT_DIR, 'browser-console.log'));
  page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error.message}\n`));
  log(`chromium ${browser.version()}: opening the workbench`);
  await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60000 });
  const wb = new Workbench(page, OUTPUT_DIR);
  await wb.waitForWorkbench();
  log('workbench loaded');

  const ctx: StepContext = { wb, workspace, extensionDir, userDataDir };
  const failures: string[] = [];
  let skipRest = false;
  let unselected = 0;
  for (const [i, step] of STEPS.entries()) {
    const name = `step ${i + 1}/${STEPS.length}: ${step.title}`;
    if (cleaningUp) break; // interrupted: the signal handler is tearing everything down
    if (ONLY && !ONLY.test(step.title) && !step.essential) {
      log(`- ${name}: not selected by DG_E2E_STEPS`);
      unselected++;
      continue;
    }
    if (skipRest) {
      log(`- ${name}: skipped`);
      failures.push(`step ${i + 1} (${step.title}): skipped`);
      continue;
    }
    const started = Date.now();
    log(`▶ ${name}`);
    try {
      await withTimeout(step.run(ctx), STEP_TIMEOUT_MS, name);
      log(`✔ step ${i + 1} passed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`✘ step ${i + 1} FAILED (${((Date.now() - started) / 1000).toFixed(1)} s): ${message}`);
      failures.push(`step ${i + 1} (${step.title}): ${error instanceof Error ? error.message : String(error)}`);
      await wb.screenshot(`FAILED-step${i + 1}`).catch(() => undefined);
      log(`  workbench state: ${await wb.state()}`);
      if (step.essential) {
        skipRest = true;
        log('  the extension does not work at all: skipping the remaining steps');
      }
    }
    await wb.reset().catch(() => undefined);
  }
  consoleLog.end();

  if (failures.length > 0) {
    console.error(`\n${failures.length} of ${STEPS.length} steps failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    console.error(`screenshots and logs: ${path.relative(process.cwd(), OUTPUT_DIR) || OUTPUT_DIR}`);
    return 1;
  }
  const ran = unselected > 0 ? `the ${STEPS.length - unselected} selected steps (of ${STEPS.length})` : `all ${STEPS.length} steps`;
  log(`${ran} passed; screenshots in ${path.relative(process.cwd(), OUTPUT_DIR) || OUTPUT_DIR}`);
  if (process.env['DG_E2E_DOCS_IMAGE'] === '1') {
    // The docs' screenshots come from this run: refresh them on request only.
    for (const [suffix, image] of DOCS_IMAGES) {
      const shot = fs.readdirSync(OUTPUT_DIR).find((name) => name.endsWith(suffix));
      if (!shot) continue;
      fs.mkdirSync(path.dirname(image), { recursive: true });
      fs.copyFileSync(path.join(OUTPUT_DIR, shot), image);
      log(`updated ${path.relative(REPO_ROOT, image)}`);
    }
  }
  return 0;
}

function exit(code: number): void {
  void cleanup().finally(() => {
    log(`done (exit ${code})`);
    process.exit(code);
  });
}

const watchdog = setTimeout(() => {
  console.error(`test:e2e: still running after ${WATCHDOG_MS / 1000} s; giving up`);
  exit(1);
}, WATCHDOG_MS);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`test:e2e: ${signal}; cleaning up`);
    exit(130);
  });
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    exit(code);
  },
  (error: unknown) => {
    clearTimeout(watchdog);
    console.error('test:e2e failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    const logFile = path.join(OUTPUT_DIR, 'code-server.log');
    if (fs.existsSync(logFile)) console.error(`code-server log (tail):\n${tail(logFile)}`);
    exit(1);
  },
);
