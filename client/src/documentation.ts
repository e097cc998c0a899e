// "Show documentation for DGxxx": opens a rule's markdown page (the server sends its URI in code
// actions). The page ships in the extension; a web server's page may be an https URL.

import * as vscode from 'vscode';
import type { ShowDocumentationArgs } from '../../server/out/protocol';

const ONLINE_DOCS = 'https://github.com/dynamo-guard/dynamo-guard/blob/main/docs/rules';

export async function showDocumentation(args?: ShowDocumentationArgs): Promise<void> {
  if (!args?.uri) {
    void vscode.window.showWarningMessage('DynamoGuard: no documentation page was given.');
    return;
  }
  const uri = vscode.Uri.parse(args.uri);
  if (uri.scheme === 'http' || uri.scheme === 'https') {
    await vscode.env.openExternal(uri);
    return;
  }
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    if (/^DG\d{3}$/.test(args.rule)) {
      await vscode.env.openExternal(vscode.Uri.parse(`${ONLINE_DOCS}/${args.rule}.md`));
      return;
    }
    void vscode.window.showWarningMessage(`DynamoGuard: no documentation page for ${args.rule} at ${uri.toString(true)}.`);
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in markdown extension can be disabled; the raw page is still readable.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}
