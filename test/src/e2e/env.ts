// Where the end-to-end run finds its tools and puts its output, plus the step log. Every path can
// be overridden from the environment so a developer can point at an existing code-server or
// browser; CI uses the defaults, which test/e2e/setup.sh installs.

import * as fs from 'fs';
import * as path from 'path';

/** test/out/e2e -> repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const OUTPUT_DIR = path.join(REPO_ROOT, '.test-output', 'e2e');

export const CODE_SERVER_BIN =
  process.env['DG_E2E_CODE_SERVER'] ?? path.join(REPO_ROOT, '.e2e', 'code-server', 'node_modules', '.bin', 'code-server');

/**
 * DG_E2E_WEB=1: run the extension in the workbench's web worker extension host (its `browser`
 * entry, the server in a web worker), as vscode.dev would, instead of code-server's Node host.
 */
export const WEB_EXTENSION_HOST = process.env['DG_E2E_WEB'] === '1';

export const CHROMIUM_BIN = process.env['DG_E2E_CHROMIUM'] ?? '/usr/bin/chromium';

export const VSIX = process.env['DG_E2E_VSIX'] ?? path.join(REPO_ROOT, 'dynamo-guard.vsix');

/** Keep the temporary workspace, user data and extensions directories (for debugging). */
export const KEEP_TEMP = process.env['DG_E2E_KEEP'] === '1';

/** The whole run, setup and teardown included, must end well before CI's 10 minutes. */
export const WATCHDOG_MS = Number(process.env['DG_E2E_WATCHDOG_MS'] ?? 8 * 60 * 1000);

const started = Date.now();

export function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

export function log(message: string): void {
  console.log(`[${elapsed()}] ${message}`);
}

/** Fails early with the fix when something setup.sh or `npm run package` provides is missing. */
export function requireFile(file: string, hint: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${hint}`);
}
