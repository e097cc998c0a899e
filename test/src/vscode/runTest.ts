// `npm run test:vscode`: offline checks of the bundle, then the integration suite (suite/) in a
// real VS Code downloaded by @vscode/test-electron.
//
// Exits 0 without running the suite ONLY when VS Code cannot be downloaded (no network) or when
// DYNAMO_GUARD_SKIP_VSCODE=1, and says so. Every other failure exits non-zero.

import * as fs from 'fs';
import * as path from 'path';
import { download, makeConsoleReporter, runTests, type ProgressReporter } from '@vscode/test-electron';
import { checkBundledServer, checkManifest } from './preflight';
import { createWorkspace } from './workspace';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const VSCODE_VERSION = process.env['DYNAMO_GUARD_VSCODE_VERSION'] ?? 'stable';

const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPROTO', 'CERT_HAS_EXPIRED', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** Errors that mean "no usable network", as opposed to a broken archive or disk. */
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return true;
  // test-electron rejects with the bare string 'Failed to get JSON' on a non-200 answer.
  const message = error instanceof Error ? error.message : String(error);
  return /getaddrinfo|socket hang up|timed? ?out|Failed to get JSON|status code|proxy|tunneling socket/i.test(message);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Downloads (or finds cached) VS Code; networkError when the network is why it cannot, else throws. */
async function downloadVSCode(): Promise<{ executable?: string; networkError?: string }> {
  // test-electron retries and then throws a generic error; keep the underlying ones to classify.
  const seen: unknown[] = [];
  const consoleReporter = await makeConsoleReporter();
  const reporter: ProgressReporter = {
    report: (report) => {
      if ('error' in report) seen.push(report.error);
      consoleReporter.report(report);
    },
    error: (error) => {
      seen.push(error);
      consoleReporter.error(error);
    },
  };
  try {
    return { executable: await download({ version: VSCODE_VERSION, reporter, timeout: 30000 }) };
  } catch (error) {
    const all = [...seen, error];
    const network = all.find(isNetworkError);
    if (network !== undefined) return { networkError: describe(network) };
    throw error;
  }
}

async function main(): Promise<number> {
  checkManifest(REPO_ROOT);
  console.log('preflight: package.json settings match the server defaults');
  await checkBundledServer(REPO_ROOT);
  console.log('preflight: dist/server.js (copied away from node_modules) answers initialize and reports DG101/DG102');

  if (process.env['DYNAMO_GUARD_SKIP_VSCODE'] === '1') {
    console.log('skipped: the VS Code integration suite (DYNAMO_GUARD_SKIP_VSCODE=1).');
    return 0;
  }
  const { executable, networkError } = await downloadVSCode();
  if (!executable) {
    console.log(
      `skipped: VS Code could not be downloaded (${networkError}). ` +
        'Run `npm run test:vscode` on a machine with internet access.',
    );
    return 0;
  }

  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    console.warn('warning: no $DISPLAY; if VS Code fails to start, run `xvfb-run -a npm run test:vscode`.');
  }
  const workspace = createWorkspace(REPO_ROOT);
  try {
    // runTests rejects when the suite fails or VS Code exits non-zero.
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-gpu'],
    });
    return 0;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('test:vscode failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
