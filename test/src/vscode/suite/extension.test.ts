// The extension in a real VS Code: diagnostics, quick fixes, documentation, the workspace scan and
// a server restart, on the smoke sample (DG101 on line 7 `get_item`, DG102 on line 6 `get_user`).

import * as assert from 'assert';
import * as vscode from 'vscode';
import { FILES } from '../workspace';

const EXTENSION_ID = 'dynamo-guard.dynamo-guard';
const DG101_LINE = 6;
const DG102_LINE = 5;

function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is not open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return code === undefined ? undefined : String(code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'DynamoGuard');
}

function find(uri: vscode.Uri, rule: string): vscode.Diagnostic | undefined {
  return ours(uri).find((d) => codeOf(d) === rule);
}

function listing(uri: vscode.Uri): string {
  return JSON.stringify(ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line}`));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function open(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspaceUri(relative));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function waitForDiagnostic(uri: vscode.Uri, rule: string, line: number): Promise<vscode.Diagnostic> {
  return waitFor(`${rule} on line ${line + 1} of ${uri.path} (have ${listing(uri)})`, () => {
    const d = find(uri, rule);
    return d && d.range.start.line === line ? d : undefined;
  });
}

/**
 * Code actions at a range. vscode.executeCodeActionProvider drops `CodeAction.diagnostics`, so
 * actions are told apart by what they do; the workspace ignores DG201 (see workspace.ts) so that
 * DG101 is the only finding on the `get_item` range.
 */
async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range);
  return (actions ?? []).filter((a): a is vscode.CodeAction => typeof a.command !== 'string');
}

const titles = (actions: vscode.CodeAction[]) => JSON.stringify(actions.map((a) => a.title));

function insertedText(action: vscode.CodeAction): string {
  return (action.edit?.entries() ?? []).flatMap(([, edits]) => edits.map((e) => e.newText)).join('\n');
}

function isSuppression(action: vscode.CodeAction, rule = ''): boolean {
  return insertedText(action).includes(rule ? `dynamo-guard: ignore[${rule}]` : 'dynamo-guard: ignore');
}

async function apply(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `could not apply "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

describe('DynamoGuard extension', function () {
  this.timeout(60000);

  after(async function () {
    // The workspace is a throwaway copy: saving is the simplest way to close without prompts.
    await vscode.workspace.saveAll(false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activates on Python files and reports DG101 and DG102', async function () {
    const doc = await open(FILES.quickFix);
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
    assert.ok(extension.isActive);
    const dg101 = await waitForDiagnostic(doc.uri, 'DG101', DG101_LINE);
    assert.strictEqual(dg101.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(doc.getText(dg101.range), 'get_item');
    const dg102 = await waitForDiagnostic(doc.uri, 'DG102', DG102_LINE);
    assert.strictEqual(dg102.severity, vscode.DiagnosticSeverity.Warning);
    // The workspace's `dynamoGuard.ignore: ["DG201"]` reached the server.
    assert.ok(!find(doc.uri, 'DG201'), `DG201 is ignored by the workspace settings, have ${listing(doc.uri)}`);
  });

  it('applies the DG101 quick fix and the diagnostic goes away', async function () {
    const doc = await open(FILES.quickFix);
    const dg101 = await waitForDiagnostic(doc.uri, 'DG101', DG101_LINE);
    const actions = await codeActions(doc.uri, dg101.range);
    const fixes = actions.filter(
      (a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind) && a.edit && !isSuppression(a),
    );
    const fix = fixes.find((a) => a.isPreferred) ?? fixes[0];
    assert.ok(fix, `no DG101 quick fix among ${titles(actions)}`);
    const before = doc.getText();
    await apply(fix);
    assert.notStrictEqual(doc.getText(), before, `"${fix.title}" did not change the file`);
    await waitFor(`DG101 to go away after "${fix.title}" (have ${listing(doc.uri)})`, () => (find(doc.uri, 'DG101') ? undefined : true));
  });

  it('suppresses DG102 with a comment, leaving DG101 alone', async function () {
    const doc = await open(FILES.suppress);
    const dg102 = await waitForDiagnostic(doc.uri, 'DG102', DG102_LINE);
    const actions = await codeActions(doc.uri, dg102.range);
    const suppress = actions.find((a) => isSuppression(a, 'DG102'));
    assert.ok(suppress, `no suppression action for DG102 among ${titles(actions)}`);
    await apply(suppress);
    assert.match(doc.lineAt(DG102_LINE).text, /# dynamo-guard: ignore\[DG102\]/);
    await waitFor(`DG102 to go away (have ${listing(doc.uri)})`, () => (find(doc.uri, 'DG102') ? undefined : true));
    assert.ok(find(doc.uri, 'DG101'), `DG101 should still be reported, have ${listing(doc.uri)}`);
  });

  it('opens the rule documentation from a code action', async function () {
    const doc = await open(FILES.docs);
    const dg101 = await waitForDiagnostic(doc.uri, 'DG101', DG101_LINE);
    const actions = await codeActions(doc.uri, dg101.range);
    const show = actions.find(
      (a) => a.command?.command === 'dynamoGuard.showDocumentation' && (a.command.arguments?.[0] as { rule?: string } | undefined)?.rule === 'DG101',
    );
    assert.ok(show, `no "show documentation" action among ${titles(actions)}`);
    await apply(show);
    const tabs = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    await waitFor(`a tab showing DG101.md (have ${JSON.stringify(tabs().map((t) => t.label))})`, () =>
      tabs().some((tab) => tab.label.includes('DG101')) ? true : undefined,
    );
  });

  it('scans the workspace and reports findings in files that are not open', async function () {
    const unopened = workspaceUri(FILES.unopened);
    const isOpen = () => vscode.workspace.textDocuments.some((d) => d.uri.toString() === unopened.toString());
    assert.ok(!isOpen());
    const result = await vscode.commands.executeCommand<{ files: number; findings: number; cancelled: boolean } | undefined>(
      'dynamoGuard.scanWorkspace',
    );
    assert.ok(result, 'the scan returned no result');
    assert.strictEqual(result.cancelled, false);
    assert.ok(result.files >= Object.keys(FILES).length, `scanned ${result.files} files`);
    assert.ok(result.findings >= 2, `found ${result.findings} findings`);
    await waitForDiagnostic(unopened, 'DG101', DG101_LINE);
    assert.ok(!isOpen(), 'the scan should not open documents');
  });

  it('restarts the server and analyzes again', async function () {
    const doc = await open(FILES.docs);
    await vscode.commands.executeCommand('dynamoGuard.restartServer');
    await waitForDiagnostic(doc.uri, 'DG101', DG101_LINE);
    // An edit after the restart is analyzed by the new server.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '# restarted\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostic(doc.uri, 'DG101', DG101_LINE + 1);
  });
});
