// The configuration-mistake step: a misspelled key in the example's pyproject.toml is an error
// squiggle in pyproject.toml itself (the client's document selector includes it), whose quick fix
// restores the right spelling. Runs last: it edits the project settings and restores them.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { log } from './env';
import type { Step } from './steps';
import { locate } from './workspace';

export const CONFIG_STEPS: Step[] = [
  {
    title: 'a configuration mistake is an error in pyproject.toml, with a quick fix to the closest key',
    async run(ctx) {
      const { wb } = ctx;
      const file = path.join(ctx.workspace, 'pyproject.toml');
      const original = fs.readFileSync(file, 'utf8');
      assert.ok(original.includes('\nauth-functions = '), 'the example configures auth-functions');
      const broken = original.replace('\nauth-functions = ', '\nauth-functins = ');
      fs.writeFileSync(file, broken);
      try {
        const at = locate(broken, /^\[tool\.dynamo-guard\]/, /^auth-functins = /, 'auth-functins');
        await wb.quickOpen('pyproject.toml');
        await wb.goTo(at.line, at.column);
        const squiggle = await wb.waitForSquiggle(at.line, 'error');
        const hover = await wb.hover(squiggle, 'auth-functins');
        assert.match(hover.text, /unknown key "auth-functins" in \[tool\.dynamo-guard\] \(did you mean "auth-functions"\?\)/);
        log(`  error squiggle on auth-functins (line ${at.line}): ${hover.text.split('\n')[0]}`);
        await wb.screenshot('config-mistake');
        await wb.reset();
        await wb.goTo(at.line, at.column);
        const titles = await wb.openQuickFixMenu();
        assert.ok(titles.some((t) => t.startsWith('Change to "auth-functions"')), `quick fixes: ${titles.join(' | ')}`);
        await wb.chooseQuickFix('Change to "auth-functions"');
        await wb.waitStable('no squiggle left on the fixed key', async () => (await wb.squigglesOn(at.line, 'error')).length === 0);
        // Saved once the quick fix is in the buffer; the write may land a moment later.
        await wb.save();
        await wb.waitFor('the saved file to hold the corrected key', async () => fs.readFileSync(file, 'utf8') === original || undefined, 15000);
        assert.strictEqual(fs.readFileSync(file, 'utf8'), original, 'the quick fix restores the file');
        log('  the quick fix "Change to \\"auth-functions\\"" restored the key; the squiggle is gone');
      } finally {
        fs.writeFileSync(file, original);
        await wb.reset();
      }
    },
  },
];
