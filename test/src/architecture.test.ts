import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// The analyzer is shared by the CLI and the server: it must not import LSP or VS Code modules.

const root = path.join(__dirname, '..', '..', 'server', 'src', 'analysis');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

describe('architecture', () => {
  it('server/src/analysis imports nothing from vscode, vscode-languageserver or vscode-languageclient', () => {
    const files = sources(root);
    assert.ok(files.length > 30);
    const offenders = files.filter((f) => /from\s+['"](vscode|vscode-languageserver[^'"]*|vscode-languageclient[^'"]*|vscode-jsonrpc[^'"]*)['"]|require\(['"]vscode/.test(fs.readFileSync(f, 'utf8')));
    assert.deepStrictEqual(offenders.map((f) => path.relative(root, f)), []);
  });

  it('the analyzer does not import the server, the CLI or the client', () => {
    const offenders = sources(root).filter((f) => /from\s+['"](\.\.\/)+(lsp|cli|server)\b|client\/src/.test(fs.readFileSync(f, 'utf8')));
    assert.deepStrictEqual(offenders.map((f) => path.relative(root, f)), []);
  });
});
