// The packaged .vsix as VS Code and the Marketplace read it: the details page (extension/readme.md)
// is the user guide docs/extension/README.md, not the contributor README; the changelog ships;
// every link of both points at a file of this repository (vsce rewrites relative links to
// https://github.com/<repo>/blob|raw/HEAD/...). Packaged with the exact vsce arguments of
// `npm run package`, into a temporary file.

import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yauzl from 'yauzl';
import { markdownLinks } from './helpers/markdown';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Every entry of a zip file, decompressed. */
function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${file}`));
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** The `vsce package ...` arguments of the `package` script, with `-o` pointed at `out`. */
function vsceArgs(out: string): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['package']!;
  const command = script.split('&&').map((s) => s.trim()).find((s) => s.startsWith('vsce package'));
  assert.ok(command, `no "vsce package" in the package script: ${script}`);
  const args = command.split(/\s+/).slice(1);
  const o = args.indexOf('-o');
  assert.ok(o >= 0, 'the package script names its output with -o');
  args[o + 1] = out;
  return args;
}

/** https://github.com/<owner>/<repo>/(blob|raw)/HEAD/<path> -> <path>, dot segments resolved. */
function repositoryPath(link: string, repository: string): string | undefined {
  const url = new URL(link);
  const base = new URL(repository.replace(/\.git$/, ''));
  if (url.host !== base.host) return undefined;
  const prefix = new RegExp(`^${base.pathname}/(?:blob|raw)/HEAD/`);
  return prefix.test(url.pathname) ? decodeURIComponent(url.pathname.replace(prefix, '')) : undefined;
}

describe('the packaged .vsix', function () {
  this.timeout(180000);
  let entries: Map<string, Buffer>;
  let repository: string;
  let tmp: string;

  before(async function () {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { repository: { url: string } };
    repository = manifest.repository.url;
    // vsce packages dist/ (see .vscodeignore) and checks that the manifest's entry points exist:
    // bundle first, as `npm run package` does, so the package is the current code's.
    const bundle = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'bundle.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(bundle.status, 0, `npm run bundle failed: ${bundle.stderr}`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-vsix-'));
    const vsix = path.join(tmp, 'dynamo-guard.vsix');
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const result = spawnSync(process.execPath, [vsce, ...vsceArgs(vsix)], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(result.status, 0, `vsce package failed:\n${result.stdout}\n${result.stderr}`);
    entries = await readZip(vsix);
  });

  after(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('has the user guide as its details page, and no other readme', function () {
    const readmes = [...entries.keys()].filter((name) => /^extension\/readme\.md$/i.test(name));
    assert.deepStrictEqual(readmes, ['extension/readme.md'], 'exactly one readme (the contributor README.md must not ship)');
    const page = entries.get('extension/readme.md')!.toString('utf8');
    const guide = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'extension', 'README.md'), 'utf8');
    // Same text once vsce's link rewriting is undone: compare with every link target blanked.
    const blank = (md: string): string => md.replace(/\]\([^)\s]+\)/g, ']()');
    assert.strictEqual(blank(page), blank(guide));
    assert.doesNotMatch(page.slice(0, page.indexOf('\n## ')), /npm (ci|test|run)/, 'the details page must not open with contributor commands');
    const vsixManifest = entries.get('extension.vsixmanifest')!.toString('utf8');
    assert.match(vsixManifest, /Type="Microsoft\.VisualStudio\.Services\.Content\.Details" Path="extension\/readme\.md"/);
  });

  it('ships the CHANGELOG', function () {
    const names = [...entries.keys()].filter((name) => /^extension\/changelog\.md$/i.test(name));
    assert.strictEqual(names.length, 1, `changelog entries: ${JSON.stringify(names)}`);
    assert.match(entries.get(names[0]!)!.toString('utf8'), /^## \[Unreleased\]$/m);
    assert.match(entries.get('extension.vsixmanifest')!.toString('utf8'), /Microsoft\.VisualStudio\.Services\.Content\.Changelog/);
  });

  it('every link and image of the details page and the changelog points at a file of the repository', function () {
    const broken: string[] = [];
    let checked = 0;
    for (const [name, data] of entries) {
      if (!/^extension\/(readme|changelog)\.md$/i.test(name)) continue;
      for (const link of markdownLinks(data.toString('utf8'))) {
        if (link.target.startsWith('#')) continue;
        if (!/^https:\/\//.test(link.target)) {
          if (link.image || !/^mailto:/.test(link.target)) broken.push(`${name}:${link.line} ${link.target} (not https)`);
          continue;
        }
        const rel = repositoryPath(link.target, repository);
        if (rel === undefined) continue; // an external site
        checked++;
        if (!fs.existsSync(path.join(REPO_ROOT, rel.split('#')[0]!))) broken.push(`${name}:${link.line} ${link.target} -> ${rel} (no such file)`);
        if (link.image && !/\/raw\/HEAD\//.test(link.target)) broken.push(`${name}:${link.line} ${link.target} (an image must be a raw URL)`);
      }
    }
    assert.deepStrictEqual(broken, []);
    assert.ok(checked >= 20, `only ${checked} repository links checked`);
  });
});
