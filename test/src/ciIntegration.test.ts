// The GitHub Action (action.yml + scripts/github-action.mjs) and the pre-commit hooks
// (.pre-commit-hooks.yaml), exercised as far as this machine allows: the action's script runs
// locally with the environment GitHub gives it; the hooks run under Debian's pre-commit in a
// temporary git repository (a `repo: local` copy of each hook, since installing the published
// hook needs the network), with the hook's own entry command.

import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, REPO_ROOT, SMOKE_SAMPLE, makeTree, removeTree } from './helpers/cliTree';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'github-action.mjs');

interface ActionRun {
  status: number | null;
  stdout: string;
  outputs: Record<string, string>;
}

function runAction(cwd: string, inputs: Record<string, string>): ActionRun {
  const outFile = path.join(cwd, '.github-output');
  fs.writeFileSync(outFile, '');
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', GITHUB_OUTPUT: outFile };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/-/g, '_').toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [SCRIPT], { cwd, env, encoding: 'utf8' });
  const outputs: Record<string, string> = {};
  for (const line of fs.readFileSync(outFile, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { status: r.status, stdout: r.stdout + r.stderr, outputs };
}

function hasPreCommit(): boolean {
  return spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('CI integrations', function () {
  this.timeout(120000);
  const trees: string[] = [];
  const tree = (spec: Record<string, string>) => {
    const root = makeTree(spec, 'dg-integ-');
    trees.push(root);
    return root;
  };
  after(() => trees.forEach(removeTree));

  describe('action.yml', function () {
    it('is a composite action: install, scan through the tested script, upload-sarif, then the gate', function () {
      const action = yaml.load(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>;
        runs: { using: string; steps: Array<{ id?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }> };
      };
      assert.strictEqual(action.runs.using, 'composite');
      for (const name of ['paths', 'baseline', 'fail-on', 'upload', 'sarif-file']) assert.ok(name in action.inputs, `input ${name}`);
      assert.strictEqual(action.inputs['fail-on']!.default, 'error');
      const steps = action.runs.steps;
      const scan = steps.findIndex((s) => s.id === 'scan');
      const upload = steps.findIndex((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
      const gate = steps.findIndex((s) => s.if?.includes("steps.scan.outputs.failed == 'true'"));
      assert.ok(steps.slice(0, scan).some((s) => s.run?.includes('npm ci') && s.run.includes('npm run build')), 'installs first');
      assert.ok(scan >= 0 && steps[scan]!.run!.includes('scripts/github-action.mjs'));
      assert.deepStrictEqual(Object.keys(steps[scan]!.env!).sort(), ['INPUT_ARGS', 'INPUT_BASELINE', 'INPUT_FAIL_ON', 'INPUT_PATHS', 'INPUT_SARIF_FILE']);
      assert.ok(upload > scan && gate > upload, 'the SARIF is uploaded before the job fails');
      assert.match(steps[upload]!.if!, /always\(\)/);
      assert.strictEqual(steps[upload]!.with!['sarif_file'], '${{ inputs.sarif-file }}');
    });

    it('its script writes SARIF and fails on findings at or above fail-on', function () {
      const root = tree({ 'src/app.py': SMOKE_SAMPLE, 'README.md': 'x\n' });
      const r = runAction(root, { paths: 'src', 'fail-on': 'error' });
      assert.strictEqual(r.status, 0, r.stdout);
      assert.strictEqual(r.outputs['exit-code'], '0');
      assert.strictEqual(r.outputs['failed'], 'true', r.stdout);
      const sarif = JSON.parse(fs.readFileSync(path.join(root, r.outputs['sarif-file']!), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
      const rules = sarif.runs[0]!.results.map((x) => x.ruleId);
      assert.ok(rules.includes('DG101') && rules.includes('DG102'), rules.join());
      assert.strictEqual(r.outputs['findings'], String(rules.length));

      // Only warnings selected: fail-on=error passes, fail-on=warning fails, never never fails.
      assert.strictEqual(runAction(root, { paths: 'src', 'fail-on': 'error', args: '--select DG102' }).outputs['failed'], 'false');
      assert.strictEqual(runAction(root, { paths: 'src', 'fail-on': 'warning', args: '--select DG102' }).outputs['failed'], 'true');
      assert.strictEqual(runAction(root, { paths: 'src', 'fail-on': 'never' }).outputs['failed'], 'false');
    });

    it('with a baseline, only new findings count; a missing baseline warns and reports all', function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      execFileSync(process.execPath, [BIN, 'scan', '.', '--write-baseline', '.dynamo-guard-baseline.json'], { cwd: root, stdio: 'ignore' });
      const clean = runAction(root, { baseline: '.dynamo-guard-baseline.json' });
      assert.strictEqual(clean.outputs['failed'], 'false', clean.stdout);
      assert.strictEqual(clean.outputs['findings'], '0');
      fs.appendFileSync(path.join(root, 'app.py'), '\n@app.route("/v2/<user_id>")\ndef get_user_v2(user_id):\n    return table.get_item(Key={"user_id": user_id})["Item"]\n');
      const fresh = runAction(root, { baseline: '.dynamo-guard-baseline.json' });
      assert.strictEqual(fresh.outputs['failed'], 'true');
      const missing = runAction(root, { baseline: 'nope.json' });
      assert.match(missing.stdout, /::warning title=DynamoGuard::baseline nope\.json not found/);
      assert.strictEqual(missing.outputs['failed'], 'true');
    });

    it('a configuration error fails the job, never passes silently', function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = [\n', 'app.py': 'x = 1\n' });
      const r = runAction(root, {});
      assert.strictEqual(r.outputs['exit-code'], '2', r.stdout);
      assert.strictEqual(r.outputs['failed'], 'true');
      assert.strictEqual(runAction(root, { 'fail-on': 'bogus' }).outputs['failed'], 'true');
    });
  });

  describe('.pre-commit-hooks.yaml', function () {
    interface Hook { id: string; entry: string; language: string; types: string[]; require_serial?: boolean }
    const hooks = yaml.load(fs.readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

    it('declares the check and fix hooks on Python files, running the CLI', function () {
      assert.deepStrictEqual(hooks.map((h) => h.id), ['dynamo-guard', 'dynamo-guard-fix']);
      for (const h of hooks) {
        assert.match(h.entry, /^dynamo-guard scan --no-progress\b/);
        assert.deepStrictEqual(h.types, ['python']);
        assert.strictEqual(h.language, 'node');
      }
      assert.match(hooks[1]!.entry, /--fix$/);
    });

    it('runs under pre-commit on a git repository (local copy of the hooks, same entry)', function () {
      if (!hasPreCommit()) {
        // .ci/run installs it; elsewhere a machine without it skips rather than fails.
        assert.ok(!process.env['CI'], 'pre-commit is missing (apt-get install pre-commit)');
        this.skip();
      }
      const fixable = 'import boto3\n\ntable = boto3.resource("dynamodb").Table("items")\n\n\ndef rename(item_id, name):\n    table.update_item(\n        Key={"id": item_id},\n        UpdateExpression="SET name = :n",\n        ConditionExpression="attribute_exists(id)",\n        ExpressionAttributeValues={":n": name, ":unused": 1},\n    )\n';
      const root = tree({ 'app/api.py': SMOKE_SAMPLE, 'app/clean.py': 'x = 1\n', 'notes.txt': 'not python\n' });
      // The published hooks' entry, with `dynamo-guard` resolved to this checkout (pre-commit's
      // node install would put it on PATH).
      const local = hooks.map((h) => ({ ...h, entry: h.entry.replace(/^dynamo-guard/, `${process.execPath} ${BIN}`), language: 'system' }));
      const config = (ids: string[]) => `repos:\n  - repo: local\n    hooks:\n${local.filter((h) => ids.includes(h.id)).map((h) => `      - ${JSON.stringify(h)}\n`).join('')}`;
      const env = { ...process.env, PRE_COMMIT_HOME: path.join(root, '.pre-commit-home'), CI: '1', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' };
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, stdio: 'pipe' });
      git('init', '-q');
      git('config', 'user.email', 'dev@example.com');
      git('config', 'user.name', 'dev');
      fs.writeFileSync(path.join(root, '.pre-commit-config.yaml'), config(['dynamo-guard']));
      git('add', '.');
      const run = () => spawnSync('pre-commit', ['run', '--all-files', '--color', 'never'], { cwd: root, env, encoding: 'utf8' });
      const failed = run();
      assert.strictEqual(failed.status, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /DynamoGuard\.+Failed/);
      assert.match(failed.stdout, /app\/api\.py:7:\d+: DG101 /);

      fs.writeFileSync(path.join(root, 'app', 'api.py'), 'x = 2\n');
      git('add', '.');
      const passed = run();
      assert.strictEqual(passed.status, 0, passed.stdout + passed.stderr);
      assert.match(passed.stdout, /DynamoGuard\.+Passed/);

      fs.writeFileSync(path.join(root, '.pre-commit-config.yaml'), config(['dynamo-guard-fix']));
      fs.writeFileSync(path.join(root, 'app', 'api.py'), fixable);
      git('add', '.');
      const fixed = run();
      assert.strictEqual(fixed.status, 1, 'pre-commit fails a hook that modified files');
      assert.match(fixed.stdout, /files were modified by this hook/);
      assert.match(fs.readFileSync(path.join(root, 'app', 'api.py'), 'utf8'), /ExpressionAttributeNames=\{"#name": "name"\}/);
      git('add', '.');
      assert.strictEqual(run().status, 0, 'nothing left to fix');
    });

    it('installs from a clone of this repository as pre-commit\'s node hook (try-repo) and runs', function () {
      if (!hasPreCommit()) {
        assert.ok(!process.env['CI'], 'pre-commit is missing (apt-get install pre-commit)');
        this.skip();
      }
      // try-repo needs this checkout to be a git repository (a source tarball is not).
      if (!fs.existsSync(path.join(REPO_ROOT, '.git'))) this.skip();
      // pre-commit clones the repository, runs `npm install` there (our postinstall builds the
      // CLI), packs it and installs the pack: what a user's `repo: <this repository>` gets.
      this.timeout(600000);
      const root = tree({ 'app/api.py': SMOKE_SAMPLE });
      const env = { ...process.env, PRE_COMMIT_HOME: path.join(root, '.pre-commit-home'), CI: '1', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' };
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, stdio: 'pipe' });
      git('init', '-q');
      git('add', '.');
      const r = spawnSync('pre-commit', ['try-repo', REPO_ROOT, 'dynamo-guard', '--all-files', '--color', 'never'], { cwd: root, env, encoding: 'utf8' });
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /DynamoGuard\.+Failed/);
      assert.match(r.stdout, /app\/api\.py:7:\d+: DG101 /);
    });
  });
});
