// End-to-end step for configuration that explains itself (issue 10 point 4): a mistake typed into
// pyproject.toml's [tool.dynamo-guard] table becomes an error squiggle and a Problems row at the
// offending key, and the quick fix to the closest valid spelling removes it. Runs last: the file
// is left unsaved and its edits are undone, so nothing else sees the mistake.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { log } from './env';
import type { Step } from './steps';
import { markers, describeMarkers } from './workbench';
import { locate } from './workspace';

const PYPROJECT = 'pyproject.toml';
const TYPO = 'extend-ignor';
const FIXED = 'extend-ignore';

export const CONFIG_STEPS: Step[] = [
  {
    title: 'a misspelled key in pyproject.toml: error squiggle and Problems row at the key; the quick fix corrects it',
    async run(ctx) {
      const { wb } = ctx;
      const original = fs.readFileSync(path.join(ctx.workspace, PYPROJECT), 'utf8');
      const table = locate(original, /^\[tool\.dynamo-guard\]/, /^\[tool\.dynamo-guard\]/);
      const line = table.line + 1;
      const typed = `${TYPO} = ["DG202"]`;

      await wb.quickOpen(PYPROJECT);
      await wb.goTo(table.line, 1);
      await wb.page.keyboard.press('End');
      await wb.page.keyboard.press('Enter');
      await wb.page.keyboard.type(typed);
      assert.strictEqual((await wb.lineText(line))?.trim(), typed, 'the editor shows the typed line');

      await wb.waitForSquiggle(line, 'error', 20000);
      log(`  ${PYPROJECT}:${line}: error squiggle under the typed key`);
      await wb.screenshot('config-mistake');

      let seen = '';
      const row = await wb.waitFor(`the Problems view to list the mistake in ${PYPROJECT}`, async () => {
        const all = await wb.problems();
        seen = describeMarkers(all);
        return markers(all).find((m) => m.file === PYPROJECT && m.line === line && m.source === 'DynamoGuard');
      }, 20000, () => seen);
      assert.strictEqual(row.severity, 'error');
      assert.strictEqual(row.column, 1, 'the diagnostic starts at the key');
      assert.match(row.message, new RegExp(`unknown key "${TYPO}".*did you mean "${FIXED}"`));
      log(`  Problems: [${row.severity}] ${row.source}(${row.code}) Ln ${row.line}, Col ${row.column}: ${row.message}`);

      await wb.goTo(line, 2);
      const menu = await wb.openQuickFixMenu();
      log(`  lightbulb menu: ${JSON.stringify(menu)}`);
      await wb.chooseQuickFix(`Change to "${FIXED}"`);
      await wb.waitFor(`line ${line} to read ${FIXED}`, async () => (await wb.lineText(line))?.trim() === `${FIXED} = ["DG202"]`, 10000);
      await wb.waitFor(`the squiggle on line ${line} to go`, async () => (await wb.squigglesOn(line)).length === 0, 20000);
      log(`  applied "Change to \\"${FIXED}\\"": line ${line} reads ${FIXED} = ["DG202"] and has no squiggle`);
      await wb.screenshot('config-fixed');

      // Leave the project file as it was on disk.
      await wb.focusEditor();
      for (let i = 0; i < 5 && (await wb.isDirty()); i++) await wb.page.keyboard.press('Control+Z');
      assert.strictEqual(fs.readFileSync(path.join(ctx.workspace, PYPROJECT), 'utf8'), original, `${PYPROJECT} was never saved`);
    },
  },
];
