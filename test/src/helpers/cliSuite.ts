// What the CLI test files (cli*.test.ts) share: a describe-scoped suite that checks the build and
// removes the trees its tests make, and the smoke sample's columns as the CLI prints them.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, makeTree, REPO_ROOT, removeTree, SMOKE_SAMPLE, type JsonReport, type TreeSpec } from './cliTree';

export const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** 1-based column of `get_item` on line 7 and of `get_user` on line 6 of the smoke sample. */
export const GET_ITEM_COL = SMOKE_SAMPLE.split('\n')[6]!.indexOf('get_item') + 1;
export const GET_USER_COL = SMOKE_SAMPLE.split('\n')[5]!.indexOf('get_user') + 1;
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export function rules(report: JsonReport): string[] {
  return report.findings.map((f) => f.rule);
}

/** Call inside a `describe`: checks the CLI is built and returns `tree`, whose trees are removed after the suite. */
export function cliSuite(): (spec: TreeSpec) => string {
  const trees: string[] = [];
  before(function () {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server', 'out', 'cli', 'main.js')), 'server/out/cli/main.js missing: run npx tsc -b first');
    assert.ok(fs.existsSync(BIN));
  });
  after(function () {
    for (const root of trees) removeTree(root);
  });
  return (spec) => {
    const root = makeTree(spec);
    trees.push(root);
    return root;
  };
}
