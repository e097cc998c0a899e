// Bundles the extension and the language server into dist/ for the .vsix (which ships no
// node_modules), and puts next to them what the server looks up at run time via __dirname:
// the two tree-sitter wasm files and the rule pages (dist/docs/rules/*.md).
//
//   node scripts/bundle.mjs
//
// Sources are bundled directly (tsc's output is not needed); `npm run build` still type-checks.

import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dist = path.join(root, 'dist');
const rel = (p) => path.relative(root, p) || '.';

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

// web-tree-sitter is imported as ES module, whose Emscripten loader finds itself and its wasm via
// import.meta.url: empty in CommonJS output, so give it the bundle's own URL (dist/server.js).
const importMetaUrl = {
  // Repeat "use strict" first: esbuild's own directive ends up below the banner, where it is inert.
  banner: { js: '"use strict";\nvar __import_meta_url = require("url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url' },
};

// The web extension (vscode.dev, github.dev; package.json `browser`): the same server in a web
// worker, with the Node modules it imports replaced by server/src/browser's (a connection over
// postMessage, the workspace files the client sent as `fs`, file URLs, SHA-256 for SARIF
// fingerprints, the wasm located by URL) and path-browserify. The analyzer itself is not forked.
const browserSource = (file) => path.join(root, 'server', 'src', 'browser', file);
const browserSubstitutes = new Map([
  ['vscode-languageserver/node', browserSource('connection.ts')],
  ['fs', browserSource('fs.ts')],
  ['url', browserSource('url.ts')],
  ['crypto', browserSource('crypto.ts')],
  ['path', path.join(root, 'node_modules', 'path-browserify', 'index.js')],
]);
const nodePlatform = path.join(root, 'server', 'src', 'analysis', 'platform.ts');
const substituteNodeModules = {
  name: 'substitute-node-modules',
  setup(build) {
    build.onResolve({ filter: /^(vscode-languageserver\/node|fs|url|path|crypto)$/ }, (args) => ({ path: browserSubstitutes.get(args.path) }));
    build.onResolve({ filter: /[\\/]platform$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) + '.ts' === nodePlatform ? { path: browserSource('platform.ts') } : undefined);
  },
};
const browserOptions = {
  platform: 'browser',
  format: 'cjs',
  target: 'es2022',
  // web-tree-sitter reads these only on Node; the worker gives it the wasm URLs explicitly.
  external: ['module', 'fs/promises'],
  // cli/version.ts finds no package.json in the worker, so the version is baked in.
  define: { 'import.meta.url': 'undefined', __dirname: '"/"', 'process.env.DYNAMO_GUARD_VERSION': JSON.stringify(packageJson.version) },
};

const entries = [
  { name: 'extension', entry: 'client/src/extension.ts', out: 'dist/extension.js', options: { external: ['vscode'] } },
  { name: 'server', entry: 'server/src/server.ts', out: 'dist/server.js', options: importMetaUrl },
  { name: 'browser extension', entry: 'client/src/browserExtension.ts', out: 'dist/browser/extension.js', options: { ...browserOptions, external: ['vscode'] } },
  { name: 'browser server', entry: 'server/src/browser/server.ts', out: 'dist/browser/server.js', options: { ...browserOptions, format: 'iife', plugins: [substituteNodeModules] } },
];
for (const { name, entry } of entries) {
  if (!fs.existsSync(path.join(root, entry))) fail(`the ${name} entry point ${entry} does not exist`);
}

const assets = [
  'node_modules/web-tree-sitter/tree-sitter.wasm',
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
  'node_modules/@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm',
];
for (const asset of assets) {
  if (!fs.existsSync(path.join(root, asset))) fail(`${asset} is missing; run npm ci`);
}

// The client imports the shared protocol as '../../server/out/protocol' so that tsc's output runs
// unbundled; here, take the TypeScript source instead so bundling does not depend on a tsc build.
const serverOutToSource = {
  name: 'server-out-to-source',
  setup(build) {
    const serverOut = path.join(root, 'server', 'out');
    build.onResolve({ filter: /[\\/]server[\\/]out[\\/]/ }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      if (!resolved.startsWith(serverOut + path.sep)) return undefined;
      const source = `${path.join(root, 'server', 'src', path.relative(serverOut, resolved))}.ts`;
      if (!fs.existsSync(source)) return undefined;
      return { path: source };
    });
  },
};

fs.rmSync(dist, { recursive: true, force: true });

const results = await Promise.all(
  entries.map(({ entry, out, options }) =>
    esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      ...options,
      plugins: [serverOutToSource, ...(options.plugins ?? [])],
      // Not minified: stack traces in the output channel stay readable, and the .vsix is zipped.
      minify: false,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
    }),
  ),
).catch(() => fail('esbuild failed (errors above)'));

for (const asset of assets) fs.copyFileSync(path.join(root, asset), path.join(dist, path.basename(asset)));

const rulesSource = path.join(root, 'docs', 'rules');
const rulesTarget = path.join(dist, 'docs', 'rules');
fs.mkdirSync(rulesTarget, { recursive: true });
const pages = fs.existsSync(rulesSource) ? fs.readdirSync(rulesSource).filter((f) => f.endsWith('.md')) : [];
for (const page of pages) fs.copyFileSync(path.join(rulesSource, page), path.join(rulesTarget, page));
if (pages.length === 0) console.warn(`bundle: warning: no rule pages in ${rel(rulesSource)}; "Show documentation" will find nothing`);

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
for (const result of results) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map')) console.log(`${file.padEnd(30)} ${kb(bytes)}`);
  }
}
for (const asset of assets) {
  const file = path.join(dist, path.basename(asset));
  console.log(`${rel(file).padEnd(28)} ${kb(fs.statSync(file).size)}`);
}
console.log(`${rel(rulesTarget).padEnd(28)} ${pages.length} pages`);
