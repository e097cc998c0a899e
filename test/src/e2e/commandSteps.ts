// End-to-end steps for the editor commands (issue 10 point 5), run after the main scenario:
// Show debug info, Fix all problems, Export SARIF for the workspace, and a restart whose output
// channel log has no [Error] line. Kept apart from steps.ts so the scenarios grow independently.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { formatSyntaxProblems, pythonSyntaxProblems } from '../helpers/pyparse';
import { log, WEB_EXTENSION_HOST } from './env';
import type { Step, StepContext } from './steps';
import type { Workbench } from './workbench';

const LAMBDA = 'lambda_handlers/handler.py';

function read(ctx: StepContext, relative: string): string {
  return fs.readFileSync(path.join(ctx.workspace, relative), 'utf8');
}

/** The DynamoGuard output channel's log file(s) under code-server's user data (newest session). */
function outputChannelLog(userDataDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (/-DynamoGuard\.log$/.test(entry.name)) found.push(abs);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

async function showOutputChannel(wb: Workbench): Promise<void> {
  await wb.runCommand('Output: Focus on Output View');
  const select = wb.page.locator('.part.panel .select-container select.monaco-select-box').first();
  await select.waitFor({ state: 'visible', timeout: 10000 });
  await select.click();
  await wb.page.locator('.monaco-select-box-dropdown-container .option-text', { hasText: /^DynamoGuard$/ }).click();
}

async function outputViewText(wb: Workbench): Promise<string> {
  const text = await wb.page.locator('.part.panel .monaco-editor .view-lines').innerText().catch(() => '');
  return text.replace(/\u00a0/g, ' ');
}

export const COMMAND_STEPS: Step[] = [
  {
    title: 'DynamoGuard: Show debug info opens versions, settings sources, index state and open documents',
    async run({ wb }) {
      await wb.runCommand('DynamoGuard: Show debug info');
      const view = wb.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
      const text = await wb.waitFor('the debug info document', async () => {
        const content = (await view.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
        return content.includes('DynamoGuard debug info') && content.includes('workspace index') ? content : undefined;
      }, 20000);
      assert.match(text, WEB_EXTENSION_HOST ? /extension: \d+\.\d+\.\d+ \(web worker server\)/ : /extension: \d+\.\d+\.\d+ \(node server\)/);
      assert.match(text, /workspace index: \d+ modules?/);
      assert.match(text, /Sources in force: .*pyproject\.toml/);
      log(`  ${text.split('\n').filter((l) => /extension:|workspace index:|Sources in force/.test(l)).join(' | ')}`);
      await wb.screenshot('debug-info');
      await wb.runCommand('View: Revert and Close Editor');
    },
  },
  {
    title: 'DynamoGuard: Fix all problems applies the safe fixes of the active file',
    async run(ctx) {
      const { wb } = ctx;
      const before = read(ctx, LAMBDA);
      await wb.quickOpen(LAMBDA);
      // The findings are below the fold: count them in the status bar (errors + warnings).
      const total = async () => {
        const { errors, warnings } = await wb.problemCounts();
        return errors + warnings;
      };
      // Counted once it is steady: while the workspace index fills in, other files' problems still
      // arrive, and a count taken early could be lower than the count after the fixes.
      let previous = -1;
      const problemsBefore = await wb.waitFor('a steady problem count in the status bar', async () => {
        const n = await total();
        const steady = n > 0 && n === previous;
        previous = n;
        if (!steady) await new Promise((resolve) => setTimeout(resolve, 1500));
        return steady ? n : undefined;
      }, 60000);
      await wb.runCommand('DynamoGuard: Fix all problems');
      await wb.waitDirty(true);
      await wb.save();
      const after = read(ctx, LAMBDA);
      assert.notStrictEqual(after, before, 'the file should have changed');
      const problems = await pythonSyntaxProblems(after);
      assert.deepStrictEqual(problems, [], `the fixed file does not parse:\n${formatSyntaxProblems(LAMBDA, problems)}`);
      const problemsAfter = await wb.waitFor('fewer problems after the fixes', async () => {
        const n = await total();
        return n < problemsBefore ? n : undefined;
      }, 45000);
      log(`  ${LAMBDA} fixed: ${problemsBefore} -> ${problemsAfter} problems in the workspace; the saved file parses`);
      await wb.screenshot('fix-all');
    },
  },
  {
    title: 'DynamoGuard: Export SARIF for the workspace writes a SARIF 2.1.0 log through the save dialog',
    async run(ctx) {
      const { wb } = ctx;
      const target = path.join(ctx.workspace, 'dynamo-guard.sarif');
      fs.rmSync(target, { force: true });
      await wb.recordToasts();
      await wb.page.keyboard.press('F1');
      await wb.page.keyboard.type('DynamoGuard: Export SARIF for the workspace');
      await wb.page.waitForTimeout(500);
      await wb.page.keyboard.press('Enter');
      // The web save dialog is a quick input holding the proposed path: accept it.
      const input = wb.page.locator('.quick-input-widget input');
      await wb.waitFor('the save dialog to propose dynamo-guard.sarif', async () =>
        ((await input.inputValue({ timeout: 500 }).catch(() => '')).endsWith('dynamo-guard.sarif') ? true : undefined), 60000);
      await wb.screenshot('sarif-save-dialog');
      await wb.page.keyboard.press('Enter');
      const sarif = await wb.waitFor('dynamo-guard.sarif on disk', async () => {
        if (!fs.existsSync(target)) return undefined;
        try {
          return JSON.parse(fs.readFileSync(target, 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
        } catch {
          return undefined; // still being written
        }
      }, 60000);
      assert.strictEqual(sarif.version, '2.1.0');
      assert.ok(sarif.runs[0]!.results.length > 10, `only ${sarif.runs[0]!.results.length} results`);
      const toast = await wb.waitFor('the export summary', async () => (await wb.recordedToasts()).find((t) => /written to/.test(t)), 10000);
      log(`  ${sarif.runs[0]!.results.length} results; "${toast}"`);
      await wb.screenshot('sarif-exported');
    },
  },
  {
    title: 'DynamoGuard: Restart Server: the server comes back and the output channel has no [Error] line',
    async run(ctx) {
      const { wb } = ctx;
      assert.ok(ctx.userDataDir, 'the runner should say where the user data is');
      await wb.quickOpen(LAMBDA);
      await wb.runCommand('DynamoGuard: Restart Server');
      // Back: the language status says running again and squiggles are served by the new server.
      // The web extension host keeps its output channels in the browser: read the Output view.
      if (WEB_EXTENSION_HOST) await showOutputChannel(wb);
      const logText = await wb.waitFor('the restarted server in the output channel log', async () => {
        const text = WEB_EXTENSION_HOST ? await outputViewText(wb) : outputChannelLog(ctx.userDataDir!);
        const restart = text.lastIndexOf('Restarting the server.');
        return restart >= 0 && /workspace index: \d+ modules/.test(text.slice(restart)) ? text : undefined;
      }, 60000);
      const errors = logText.split('\n').filter((l) => /\[Error/.test(l));
      assert.deepStrictEqual(errors, [], 'a normal restart must not log errors');
      await wb.waitFor('problems after the restart', async () => {
        const { errors, warnings } = await wb.problemCounts();
        return errors + warnings > 0 ? true : undefined;
      }, 60000);
      log(`  restarted; ${logText.split('\n').length} output lines, none at error level`);
      await wb.screenshot('restarted');
    },
  },
];
