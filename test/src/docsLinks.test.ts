// The project's Markdown: every relative link and image resolves to a file of the repository (and
// a `#fragment` to a heading of its target), the shipped contract (docs/RULES.md, docs/CLI.md)
// is the product spec, and the README keeps its contributor commands at the top.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../server/out/analysis';
import { headingAnchors, isExternal, markdownLinks } from './helpers/markdown';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist']);

function markdownFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(full));
    else if (entry.name.endsWith('.md')) files.push(full);
  }
  return files;
}

function read(rel: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
}

describe('documentation links', function () {
  const files = markdownFiles(REPO_ROOT);

  it('covers the README, the CHANGELOG, the user guide and the shipped contract', function () {
    const rels = files.map((f) => path.relative(REPO_ROOT, f).split(path.sep).join('/'));
    for (const rel of ['README.md', 'CHANGELOG.md', 'docs/extension/README.md', 'docs/RULES.md', 'docs/CLI.md', 'docs/editors.md']) {
      assert.ok(rels.includes(rel), `${rel} is missing`);
    }
  });

  it('every relative link and image resolves to a file, and every #fragment to a heading', function () {
    const broken: string[] = [];
    const anchorsOf = new Map<string, Set<string>>();
    const anchors = (file: string): Set<string> => {
      let set = anchorsOf.get(file);
      if (!set) anchorsOf.set(file, (set = headingAnchors(fs.readFileSync(file, 'utf8'))));
      return set;
    };
    for (const file of files) {
      const rel = path.relative(REPO_ROOT, file);
      for (const link of markdownLinks(fs.readFileSync(file, 'utf8'))) {
        if (isExternal(link.target)) continue;
        const [target = '', fragment] = link.target.split('#', 2);
        const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
        const where = `${rel}:${link.line} ${link.target}`;
        if (!resolved.startsWith(REPO_ROOT + path.sep) && resolved !== REPO_ROOT) broken.push(`${where} (outside the repository)`);
        else if (!fs.existsSync(resolved)) broken.push(`${where} (no such file)`);
        else if (fragment && resolved.endsWith('.md') && !anchors(resolved).has(fragment)) broken.push(`${where} (no such heading)`);
      }
    }
    assert.deepStrictEqual(broken, []);
  });

  it('the README keeps its two contributor commands at the top and points users to the guide', function () {
    const readme = read('README.md');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.ok(readme.indexOf('```sh') < readme.indexOf('\n## '), 'the command block comes before the first section');
    assert.match(firstBlock, /^npm ci && npm run demo\b/m);
    assert.match(firstBlock, /^npm test\b/m);
    assert.match(readme, /\]\(docs\/extension\/README\.md\)/);
    assert.match(readme, /\]\(docs\/RULES\.md\)/);
  });

  it('the user guide does not start with contributor commands', function () {
    const guide = read('docs/extension/README.md');
    const beforeFirstSection = guide.slice(0, guide.indexOf('\n## '));
    assert.doesNotMatch(beforeFirstSection, /npm (ci|test|run)/);
  });

  it('the rule tables of the user guide and the README list every registered rule', function () {
    const registered = RULES.map((r) => r.meta.code);
    for (const [file, link] of [['docs/extension/README.md', '../rules/'], ['README.md', 'docs/rules/']] as const) {
      const listed = [...read(file).matchAll(new RegExp(`\\[(DG\\d{3})\\]\\(${link.replace(/[./]/g, '\\$&')}DG\\d{3}\\.md\\)`, 'g'))].map((m) => m[1]!);
      assert.deepStrictEqual([...new Set(listed)].sort(), [...registered].sort(), `${file}: its rule table must link every registered rule (${link}DGxxx.md)`);
    }
  });

  it('CHANGELOG.md follows Keep a Changelog', function () {
    const changelog = read('CHANGELOG.md');
    assert.match(changelog, /^# Changelog\n/);
    assert.match(changelog, /keepachangelog\.com/);
    assert.match(changelog, /^## \[Unreleased\]$/m);
    const releases = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$/gm)].map((m) => m[1]!);
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    assert.ok(releases.includes(version), `no "## [${version}] - YYYY-MM-DD" section for package.json's version`);
    for (const heading of changelog.matchAll(/^### (.+)$/gm)) {
      assert.ok(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'].includes(heading[1]!), `### ${heading[1]} is not a Keep a Changelog heading`);
    }
    for (const label of ['Unreleased', ...releases]) assert.match(changelog, new RegExp(`^\\[${label.replace(/\./g, '\\.')}\\]: https://`, 'm'), `no link for [${label}]`);
  });

  it('docs/RULES.md and docs/CLI.md are the product spec (compared with ../shared/spec when it is beside the repository)', function () {
    const rules = read('docs/RULES.md');
    // Every rule the server registers is in the shipped contract's table.
    const codes = new Set([...rules.matchAll(/^\| (DG\d{3}) \| ([a-z-]+) \| (error|warning|info) \|/gm)].map((m) => m[1]!));
    assert.ok(codes.size >= 21, `docs/RULES.md lists ${codes.size} rules`);
    assert.match(read('docs/CLI.md'), /^dynamo-guard scan \[PATH \.\.\.\]/m);
    const nonEmpty = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');
    for (const name of ['RULES.md', 'CLI.md']) {
      const spec = path.join(REPO_ROOT, '..', 'shared', 'spec', name);
      if (!fs.existsSync(spec)) continue;
      assert.deepStrictEqual(nonEmpty(read(`docs/${name}`)), nonEmpty(fs.readFileSync(spec, 'utf8')), `docs/${name} differs from the product spec ${spec}: copy it`);
    }
  });
});

describe('a plain clone', function () {
  it('needs nothing beside the repository: no script, CI step or npm script reads ../shared', function () {
    const offenders: string[] = [];
    const check = (rel: string, text: string): void => {
      if (/\.\.\/shared\b|\/work\/shared\b/.test(text)) offenders.push(rel);
    };
    const walk = (rel: string): void => {
      const full = path.join(REPO_ROOT, rel);
      if (!fs.existsSync(full)) return;
      if (fs.statSync(full).isDirectory()) {
        for (const name of fs.readdirSync(full)) if (!SKIP_DIRS.has(name) && name !== 'fixtures') walk(path.join(rel, name));
      } else if (/\.(sh|mjs|js|ts)$|^\.ci[/\\]run$/.test(rel) && !rel.endsWith('docsLinks.test.ts')) {
        check(rel, fs.readFileSync(full, 'utf8'));
      }
    };
    for (const dir of ['.ci', 'scripts', 'test/e2e', 'test/exploit', 'test/src', 'bench']) walk(dir);
    check('package.json scripts', JSON.stringify((JSON.parse(read('package.json')) as { scripts: unknown }).scripts));
    assert.deepStrictEqual(offenders, []);
  });
});
