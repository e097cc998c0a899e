// Checks of the shipped extension that need no VS Code, run by runTest.ts before it tries to
// download one: the manifest's settings mirror the server's, and the bundled server works from a
// copy of dist/ that has no node_modules around it (as installed from the .vsix).

import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  createMessageConnection,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  type FullDocumentDiagnosticReport,
  InitializeRequest,
  InitializedNotification,
  type Diagnostic,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS } from '../../../server/out/analysis/config/config';
import { SMOKE_SAMPLE } from '../helpers/cliTree';

interface ConfigurationProperty {
  default?: unknown;
}

/** Every DynamoGuardSettings key is a `dynamoGuard.*` setting with the server's default, and vice versa. */
export function checkManifest(repoRoot: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    main: string;
    contributes: { configuration: { properties: Record<string, ConfigurationProperty> } };
  };
  assert.strictEqual(manifest.main, './dist/extension.js');
  const properties = manifest.contributes.configuration.properties;
  const clientOnly = new Set(['trace.server']);
  const contributed = Object.keys(properties)
    .map((key) => key.replace(/^dynamoGuard\./, ''))
    .filter((key) => !clientOnly.has(key));
  assert.deepStrictEqual(contributed.sort(), Object.keys(DEFAULT_SETTINGS).sort(), 'package.json settings vs DynamoGuardSettings');
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    assert.deepStrictEqual(properties[`dynamoGuard.${key}`]!.default, value, `default of dynamoGuard.${key}`);
  }
}

/**
 * Copies dist/ to a temporary directory and talks LSP over stdio to `node server.js --stdio`
 * there: initialize, open the smoke sample, pull its diagnostics. Proves the bundle finds its
 * wasm files and rule pages next to itself.
 */
export async function checkBundledServer(repoRoot: string): Promise<void> {
  const dist = path.join(repoRoot, 'dist');
  assert.ok(fs.existsSync(path.join(dist, 'server.js')), 'dist/server.js missing: run npm run bundle first');
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-bundle-')));
  const copy = path.join(tmp, 'dist');
  fs.cpSync(dist, copy, { recursive: true });
  for (const rule of ['DG101', 'DG102']) {
    assert.ok(fs.existsSync(path.join(copy, 'docs', 'rules', `${rule}.md`)), `dist/docs/rules/${rule}.md missing`);
  }

  const child = spawn(process.execPath, [path.join(copy, 'server.js'), '--stdio'], { cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) early. stderr:\n${stderr}`))),
  );
  exited.catch(() => undefined); // also fires when we kill it at the end
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  // Answer whatever the server asks (configuration, capability registration, progress) like a
  // client with default settings would.
  connection.onRequest((method, params) =>
    method === 'workspace/configuration' ? (params as { items: unknown[] }).items.map(() => ({})) : null,
  );
  connection.listen();

  const timeout = (ms: number) =>
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`bundled server did not answer in ${ms} ms. stderr:\n${stderr}`)), ms).unref());
  const exchange = async (): Promise<Diagnostic[]> => {
    const init = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(tmp).href,
      workspaceFolders: [{ uri: pathToFileURL(tmp).href, name: 'smoke' }],
      capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { configuration: true } },
    });
    assert.ok(init.capabilities.diagnosticProvider, 'server does not offer pull diagnostics');
    await connection.sendNotification(InitializedNotification.type, {});
    const uri = pathToFileURL(path.join(tmp, 'app.py')).href;
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text: SMOKE_SAMPLE },
    });
    const report = (await connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as FullDocumentDiagnosticReport;
    assert.strictEqual(report.kind, 'full');
    return report.items;
  };

  try {
    const items = await Promise.race([exchange(), exited, timeout(20000)]);
    const codes = items.map((d) => `${d.code}@${d.range.start.line}`);
    assert.ok(codes.includes('DG101@6'), `DG101 on line 7 expected, got ${JSON.stringify(codes)}`);
    assert.ok(codes.includes('DG102@5'), `DG102 on line 6 expected, got ${JSON.stringify(codes)}`);
    for (const d of items) assert.strictEqual(d.source, 'DynamoGuard');
  } finally {
    connection.dispose();
    child.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
