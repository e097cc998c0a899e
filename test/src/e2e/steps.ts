// The end-to-end scenario, one function per step, each observed in the rendered workbench and
// recorded with screenshots. Steps open the files they need themselves, so one failing step does
// not hide the results of the next ones.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { formatSyntaxProblems, pythonSyntaxProblems } from '../helpers/pyparse';
import { log, WEB_EXTENSION_HOST } from './env';
import { countPythonFiles, GENERATED_DIR, locate, type Position } from './workspace';
import { describeMarkers, markers, type Workbench } from './workbench';

export interface StepContext {
  wb: Workbench;
  /** The copied examples/ folder code-server has open. */
  workspace: string;
  /** Where the installed extension lives (the output channel must show its server). */
  extensionDir: string;
  /** code-server's user data directory (its logs hold the output channels). */
  userDataDir?: string;
}

export interface Step {
  title: string;
  /** When it fails the extension is not working at all: the later steps are skipped. */
  essential?: boolean;
  run(ctx: StepContext): Promise<void>;
}

const FLASK = 'flask_app/app.py';
const FASTAPI = 'fastapi_app/main.py';
/** Never opened by any step: their findings can only come from the workspace scan. */
const UNOPENED = ['chalice_app/app.py', 'lambda_handlers/handler.py', 'fastapi_app/v1.py'];

/** Analysis after a keystroke (200 ms debounce included) must show up within this. */
const TYPING_BUDGET_MS = 2000;

/** A workspace file as saved on disk. */
function text(ctx: StepContext, relative: string): string {
  return fs.readFileSync(path.join(ctx.workspace, relative), 'utf8');
}

function at(p: Position): string {
  return `line ${p.line}, column ${p.column}`;
}

export const STEPS: Step[] = [
  {
    title: 'open a vulnerable handler: squiggles, Problems rows, hover with the rule link',
    essential: true,
    async run(ctx) {
      const { wb } = ctx;
      const source = text(ctx, FLASK);
      const dg101 = locate(source, /^def get_user_profile\(/, /table\.get_item\(/, 'get_item');
      const dg102 = locate(source, /^def get_user_profile\(/, /^def get_user_profile\(/, 'get_user_profile');

      await wb.quickOpen(FLASK);
      const mode = await wb.languageMode();
      assert.strictEqual(mode.statusBar, 'Python', `language mode of ${FLASK}`);
      assert.match(mode.tabIcon, /\bpython-lang-file-icon\b/, 'the tab should carry the python language id');
      log(`  ${FLASK} is in language mode "${mode.statusBar}" (built-in grammar; no Python extension installed)`);

      await wb.goTo(dg101.line, dg101.column);
      // The first analysis waits for the extension to activate and the server to index the workspace.
      await wb.waitForSquiggle(dg101.line, 'error', 90000);
      await wb.waitForSquiggle(dg102.line, 'warning');
      log(`  error squiggle on get_item (${at(dg101)}), warning squiggle on get_user_profile (line ${dg102.line})`);
      await wb.screenshot('open-squiggles');

      const squiggle = (await wb.squigglesOn(dg101.line, 'error'))[0]!;
      const hover = await wb.hover(squiggle, 'DG101');
      assert.match(hover.text, /`get_item` uses a key from path parameter `user_id` that is never checked against the authenticated caller/);
      const link = hover.links.find((l) => l.text === 'DG101');
      assert.ok(link, `the hover should link DG101, links: ${JSON.stringify(hover.links)}`);
      assert.match(link.href, /\/docs\/rules\/DG101\.md$/, 'DG101 links to its rule page');
      log(`  hover: DynamoGuard(DG101) -> ${link.href}`);
      await wb.screenshot('hover');
      await wb.reset();

      await wb.openProblems();
      let seen = '';
      const rows = await wb.waitFor('the Problems view to list DG101 and DG102 for flask_app/app.py', async () => {
        const all = await wb.problems();
        seen = describeMarkers(all);
        const found = markers(all).filter((m) => m.folder === 'flask_app' && m.file === 'app.py');
        const a = found.find((m) => m.code === 'DG101' && m.line === dg101.line && m.column === dg101.column);
        const b = found.find((m) => m.code === 'DG102' && m.line === dg102.line);
        return a && b ? { a, b } : undefined;
      }, 30000, () => seen);
      assert.strictEqual(rows.a.severity, 'error');
      assert.strictEqual(rows.a.source, 'DynamoGuard');
      assert.match(rows.a.message, /never checked against the authenticated caller/);
      assert.match(rows.a.href, /DG101\.md$/);
      assert.strictEqual(rows.b.severity, 'warning');
      assert.match(rows.b.message, /Handler `get_user_profile` .* never authenticates the caller/);
      log(`  Problems: [${rows.a.severity}] ${rows.a.source}(${rows.a.code}) Ln ${rows.a.line}: ${rows.a.message.slice(0, 70)}...`);
      log(`  Problems: [${rows.b.severity}] ${rows.b.source}(${rows.b.code}) Ln ${rows.b.line}: ${rows.b.message.slice(0, 70)}...`);
      await wb.screenshot('problems');
    },
  },
  {
    title: `type a new vulnerable call: a squiggle within ${TYPING_BUDGET_MS} ms; undo clears it`,
    async run(ctx) {
      const { wb } = ctx;
      const original = text(ctx, FLASK);
      // In the correct handler get_own_profile, after `table = ...`: a delete keyed by the query string.
      const anchor = locate(original, /^def get_own_profile\(/, /^\s+table = /);
      const typed = 'table.delete_item(Key={"user_id": request.args["user_id"]})';
      const newLine = anchor.line + 1;

      const existing = locate(original, /^def get_user_profile\(/, /table\.get_item\(/, 'get_item');
      await wb.quickOpen(FLASK);
      // Analysis is up to date once the existing finding shows; only then take the baseline.
      await wb.goTo(existing.line, existing.column);
      await wb.waitForSquiggle(existing.line, 'error');
      await wb.goTo(anchor.line, anchor.column);
      const before = await wb.problemCounts();
      assert.deepStrictEqual(await wb.squigglesOn(newLine, 'error'), [], `line ${newLine} has no error before the edit`);

      await wb.page.keyboard.press('End');
      await wb.page.keyboard.press('Enter');
      await wb.page.keyboard.type(typed);
      const typedAt = Date.now();
      await wb.waitForSquiggle(newLine, 'error', 10000);
      const latency = Date.now() - typedAt;
      const shown = await wb.lineText(newLine);
      assert.strictEqual(shown?.trim(), typed, 'the editor shows the typed line');
      log(`  typed line ${newLine}; DG101 squiggle appeared ${latency} ms after the last keystroke`);
      assert.ok(latency <= TYPING_BUDGET_MS, `the squiggle took ${latency} ms (budget ${TYPING_BUDGET_MS} ms)`);
      // The Problems view follows (it refreshes on its own schedule, so this one is not timed).
      let seen = '';
      const row = await wb.waitFor(`DG101 at ${FLASK}:${newLine} in the Problems view`, async () => {
        const all = await wb.problems();
        seen = describeMarkers(all);
        return markers(all).find((m) => m.folder === 'flask_app' && m.file === 'app.py' && m.code === 'DG101' && m.line === newLine);
      }, 15000, () => seen);
      assert.match(row.message, /`delete_item` uses a key from .*never checked against the authenticated caller/);
      const during = await wb.problemCounts();
      assert.ok(during.errors > before.errors, `error count ${before.errors} -> ${during.errors}`);
      await wb.screenshot('typed-new-finding');

      // Undo until the buffer is back to its saved text (typing and Enter may be separate undo stops).
      for (let i = 0; i < 6 && (await wb.isDirty()); i++) {
        await wb.page.keyboard.press('Control+Z');
        await wb.waitFor('the undo to apply', async () => !(await wb.isDirty()) || (await wb.lineText(newLine))?.trim() !== typed, 3000).catch(() => undefined);
      }
      await wb.waitDirty(false);
      await wb.waitStable(`no error squiggle on line ${newLine} after undo`, async () => (await wb.squigglesOn(newLine, 'error')).length === 0);
      await wb.waitFor(`the problem counts to return to ${JSON.stringify(before)}`, async () =>
        JSON.stringify(await wb.problemCounts()) === JSON.stringify(before),
      );
      assert.strictEqual(text(ctx, FLASK), original, 'the file on disk is untouched');
      log(`  undo: squiggle gone, problem counts back to ${before.errors} errors / ${before.warnings} warnings`);
      await wb.screenshot('undone');
    },
  },
  {
    title: 'quick fix from the lightbulb: insert the 403 guard; the file parses and DG101 is gone',
    async run(ctx) {
      const { wb } = ctx;
      const original = text(ctx, FASTAPI);
      const finding = locate(original, /^def get_user\(/, /\.get_item\(/, 'get_item');

      await wb.quickOpen(FASTAPI);
      await wb.goTo(finding.line, finding.column);
      await wb.waitForSquiggle(finding.line, 'error');
      const titles = await wb.openQuickFixMenu();
      log(`  lightbulb menu: ${JSON.stringify(titles)}`);
      assert.ok(titles.some((t) => t.startsWith('Insert a 403 guard')), 'the menu offers the 403 guard');
      assert.ok(titles.includes('Disable DG101 for this line'), 'the menu offers the suppression');
      await wb.screenshot('quick-fix-menu');
      const applied = await wb.chooseQuickFix('Insert a 403 guard');
      log(`  applied "${applied}"`);
      await wb.waitDirty(true);
      await wb.save();

      const fixed = text(ctx, FASTAPI);
      assert.notStrictEqual(fixed, original, 'the quick fix changed the file');
      const problems = await pythonSyntaxProblems(fixed);
      assert.deepStrictEqual(problems, [], `the fixed file does not parse:\n${formatSyntaxProblems(FASTAPI, problems)}`);
      const call = locate(fixed, /^def get_user\(/, /\.get_item\(/, 'get_item');
      const handler = fixed.split('\n').slice(locate(fixed, /^def get_user\(/, /^def get_user\(/).line, call.line).join('\n');
      assert.match(handler, /if user_id != current_user\["user_id"\]:\s*\n\s+raise HTTPException\(status_code=403/, `the guard before get_item:\n${handler}`);
      log(`  saved; tree-sitter parses it without error nodes; guard inserted before get_item (now line ${call.line})`);

      await wb.goTo(call.line, call.column);
      await wb.waitStable(`no error squiggle on get_item (line ${call.line})`, async () => (await wb.squigglesOn(call.line, 'error')).length === 0);
      const rows = markers(await wb.problems());
      assert.ok(
        !rows.some((m) => m.folder === 'fastapi_app' && m.file === 'main.py' && m.code === 'DG101' && m.line === call.line),
        `DG101 still listed for ${FASTAPI}:${call.line}: ${describeMarkers(rows)}`,
      );
      await wb.screenshot('quick-fix-applied');
    },
  },
  {
    title: '"Disable DG101 for this line" inserts the suppression comment; DG101 disappears',
    async run(ctx) {
      const { wb } = ctx;
      const original = text(ctx, FLASK);
      const finding = locate(original, /^def get_user_posts\(/, /table\.query\(/, 'query');

      await wb.quickOpen(FLASK);
      await wb.goTo(finding.line, finding.column);
      await wb.waitForSquiggle(finding.line, 'error');
      await wb.openQuickFixMenu();
      await wb.chooseQuickFix('Disable DG101 for this line');
      await wb.waitFor('the suppression comment in the editor', async () => (await wb.lineText(finding.line))?.includes('# dynamo-guard: ignore[DG101]'), 10000);
      await wb.waitStable(`no error squiggle on line ${finding.line}`, async () => (await wb.squigglesOn(finding.line, 'error')).length === 0);
      // Only DG101 is suppressed: DG201 (missing projection) on the same call stays.
      assert.ok((await wb.squigglesOn(finding.line, 'warning')).length > 0, 'the DG201 warning on the same call remains');
      await wb.save();
      const line = text(ctx, FLASK).split('\n')[finding.line - 1]!;
      assert.match(line, /table\.query\(.*\)\s+# dynamo-guard: ignore\[DG101\]$/, `line ${finding.line} on disk: ${line}`);
      log(`  line ${finding.line}: ${line.trim()}`);

      const rows = markers(await wb.problems()).filter((m) => m.folder === 'flask_app' && m.file === 'app.py' && m.line === finding.line);
      assert.ok(!rows.some((m) => m.code === 'DG101'), `DG101 still listed: ${JSON.stringify(rows)}`);
      assert.ok(rows.some((m) => m.code === 'DG201'), `DG201 should still be listed: ${JSON.stringify(rows)}`);
      await wb.screenshot('suppressed');
    },
  },
  {
    title: '"DynamoGuard: Scan Workspace": progress notification, findings from files never opened',
    async run(ctx) {
      const { wb } = ctx;
      const expectedFiles = countPythonFiles(ctx.workspace);
      const chalice = locate(text(ctx, 'chalice_app/app.py'), /^def get_note\(/, /\.get_item\(/, 'get_item');
      // get_note has no caller at all: DG102 on its name (DG101 on get_item needs evidence that notes are owned).
      const chaliceDef = locate(text(ctx, 'chalice_app/app.py'), /^def get_note\(/, /^def get_note\(/, 'get_note');
      const lambda = locate(text(ctx, 'lambda_handlers/handler.py'), /^def lambda_handler\(/, /\.get_item\(/, 'get_item');
      const isUnopened = (m: { folder: string; file: string }) => UNOPENED.includes(`${m.folder}/${m.file}`);

      const before = await wb.problems();
      assert.ok(!before.some(isUnopened), `before the scan, Problems already lists unopened files: ${describeMarkers(before)}`);
      const countsBefore = await wb.problemCounts();

      await wb.recordToasts();
      await wb.runCommand('DynamoGuard: Scan Workspace');
      const progress = await wb.waitFor('the scan progress notification', async () =>
        (await wb.visibleToasts()).find((t) => t.startsWith('DynamoGuard: scanning workspace')),
      15000).catch(() => undefined);
      if (progress) {
        log(`  notification: "${progress}"`);
        await wb.screenshot('scan-progress');
        const still = (await wb.visibleToasts()).some((t) => t.startsWith('DynamoGuard: scanning workspace'));
        if (!still) log('  note: the scan ended around the screenshot; the notification may be missing from it');
      }
      const summaryPattern = /^DynamoGuard: (\d+) findings? in (\d+) files? \(([\d.]+) s\)/;
      const summary = await wb.waitFor('the scan summary notification', async () => (await wb.recordedToasts()).find((t) => summaryPattern.test(t)), 120000);
      const recorded = await wb.recordedToasts();
      log(`  notifications seen: ${JSON.stringify(recorded.filter((t) => t.startsWith('DynamoGuard')).slice(0, 3))} ... ${JSON.stringify(summary)}`);
      // However briefly it showed, the progress notification must have been rendered with counts.
      assert.ok(recorded.some((t) => /^DynamoGuard: scanning workspace: \d+\/\d+ files/.test(t)), `no progress notification among ${JSON.stringify(recorded)}`);
      assert.ok(progress, 'the progress notification was rendered but gone before it could be captured');
      const [, findings, scanned] = summaryPattern.exec(summary)!;
      assert.strictEqual(Number(scanned), expectedFiles, 'the scan visits every Python file of the workspace');
      assert.ok(Number(findings) > 0, 'the scan reports findings');
      await wb.screenshot('scan-summary');

      await wb.clickToastButton('findings in', 'Open Problems');
      let seen = '';
      const rows = await wb.waitFor(`the Problems view to list DG102/DG101 for get_note in chalice_app/app.py, DG101 in lambda_handlers/handler.py:${lambda.line} and findings in fastapi_app/v1.py`, async () => {
        const all = await wb.problems();
        seen = describeMarkers(all);
        const list = markers(all);
        const c = list.find((m) => m.folder === 'chalice_app' && m.file === 'app.py' &&
          ((m.code === 'DG102' && m.line === chaliceDef.line) || (m.code === 'DG101' && m.line === chalice.line)));
        const l = list.find((m) => m.folder === 'lambda_handlers' && m.file === 'handler.py' && m.code === 'DG101' && m.line === lambda.line);
        const v1 = list.find((m) => m.folder === 'fastapi_app' && m.file === 'v1.py');
        return c && l && v1 ? all : undefined;
      }, 30000, () => seen);
      assert.ok(!rows.some((r) => r.folder === GENERATED_DIR), `the generated correct handlers must stay quiet: ${describeMarkers(rows.filter((r) => r.folder === GENERATED_DIR))}`);
      const countsAfter = await wb.problemCounts();
      assert.ok(countsAfter.errors > countsBefore.errors, `error count ${countsBefore.errors} -> ${countsAfter.errors}`);
      const tabs = await wb.page.locator('.part.editor .tab').evaluateAll((els) => els.map((el) => el.getAttribute('data-resource-name')));
      assert.ok(!tabs.includes('handler.py') && !tabs.includes('v1.py'), `the scan must not open editors: ${JSON.stringify(tabs)}`);
      const fileRows = rows.flatMap((r) => (r.kind === 'file' ? [`${r.folder}/${r.file} (${r.count})`] : []));
      log(`  Problems after the scan: ${fileRows.join(', ')}; status bar ${countsAfter.errors} errors / ${countsAfter.warnings} warnings`);
      await wb.screenshot('scan-problems');
    },
  },
  {
    title: 'language status item lists DynamoGuard; the DynamoGuard output channel exists',
    async run({ wb, extensionDir }) {
      await wb.quickOpen(FLASK);
      // Without the panel the status hover opens over the editor, where the screenshot shows it.
      await wb.runCommand('View: Hide Panel');
      const item = wb.page.locator('[id="status.languageStatus"]');
      await item.waitFor({ state: 'visible', timeout: 10000 });
      await item.click();
      const entry = wb.page.locator('.hover-language-status').filter({ hasText: 'DynamoGuard' });
      await entry.waitFor({ state: 'visible', timeout: 10000 });
      const entryText = (await entry.innerText()).replace(/\s+/g, ' ').trim();
      assert.match(entryText, /DynamoGuard: \d+ findings?/, `language status: ${entryText}`);
      assert.ok(await entry.locator('a', { hasText: 'Show Output' }).count(), 'the entry links to the output');
      log(`  language status: ${entryText}`);
      await wb.screenshot('language-status');
      await wb.reset();

      await wb.runCommand('Output: Focus on Output View');
      const select = wb.page.locator('.part.panel .select-container select.monaco-select-box').first();
      await select.waitFor({ state: 'visible', timeout: 10000 });
      const channels = await select.locator('option').allTextContents();
      assert.ok(channels.includes('DynamoGuard'), `output channels: ${JSON.stringify(channels)}`);
      // Pick it the way a user does: open the dropdown, click the entry.
      await select.click();
      await wb.page.locator('.monaco-select-box-dropdown-container .option-text', { hasText: /^DynamoGuard$/ }).click();
      const output = wb.page.locator('.part.panel .monaco-editor .view-lines');
      const shown = await wb.waitFor('the DynamoGuard channel content', async () => {
        const content = (await output.innerText()).replace(/\u00a0/g, ' ');
        return content.includes('Server module:') ? content : undefined;
      }, 10000);
      const serverLine = shown.split('\n').find((l) => l.includes('Server module:'))!.trim();
      // The extension runs from the installed .vsix, not from the repository.
      const server = WEB_EXTENSION_HOST ? path.join(extensionDir, 'dist', 'browser', 'server.js') : path.join(extensionDir, 'dist', 'server.js');
      assert.ok(serverLine.includes(server), `expected the installed server: ${serverLine}`);
      log(`  output channels: ${JSON.stringify(channels.filter((c) => !c.startsWith('─')))}; DynamoGuard shows "${serverLine}"`);
      await wb.screenshot('output-channel');
    },
  },
];
