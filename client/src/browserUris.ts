// The web server sees every workspace file as a file: URI. In vscode.dev the workspace lives on
// other schemes (vscode-vfs://github/owner/repo/app.py); the server's settings lookup, index and
// scan work on paths, so such URIs travel as file:///__dg__/<scheme>/<authority>/<path> and are
// mapped back on the way in. file:, untitled: and notebook cells pass unchanged.

import * as vscode from 'vscode';

const ROOT = '/__dg__/';
const UNCHANGED = new Set(['file', 'untitled', 'vscode-notebook-cell', 'vscode-notebook']);

export function code2Protocol(uri: vscode.Uri): string {
  if (UNCHANGED.has(uri.scheme)) return uri.toString();
  const authority = encodeURIComponent(uri.authority) || '_';
  return vscode.Uri.from({ scheme: 'file', path: `${ROOT}${uri.scheme}/${authority}${uri.path.startsWith('/') ? '' : '/'}${uri.path}` }).toString();
}

export function protocol2Code(value: string): vscode.Uri {
  const uri = vscode.Uri.parse(value);
  if (uri.scheme !== 'file' || !uri.path.startsWith(ROOT)) return uri;
  const [scheme, authority, ...rest] = uri.path.slice(ROOT.length).split('/');
  return vscode.Uri.from({ scheme: scheme!, authority: authority === '_' ? '' : decodeURIComponent(authority!), path: `/${rest.join('/')}` });
}
