// The VS Code workbench as a user sees it, read from the DOM and driven with the keyboard and
// mouse: Quick Open, Go to Line, squiggles per line, hovers, the lightbulb menu, the Problems
// view, the command palette, notifications and the status bar. No VS Code API is reachable from
// here; everything asserted is what is rendered.

import * as path from 'path';
import type { Page } from 'playwright-core';
import { log } from './env';

// In-page functions run in the browser. This project compiles without the DOM lib (it would
// change Node's timer types for every test), so the few DOM members they use are declared here,
// for this module only.
export interface DomRect {
  top: number;
  bottom: number;
  left: number;
  width: number;
  height: number;
}
export interface DomElement {
  readonly className: string;
  readonly textContent: string | null;
  readonly innerText: string;
  readonly classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): DomRect;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
declare const document: DomElement & { body: DomElement };
declare const window: { dgToasts?: string[] };
declare const MutationObserver: new (callback: () => void) => { observe(target: DomElement, options: object): void };

/** The main editor of the active editor group (not the Output view's or a hover's). */
const EDITOR = '.part.editor .editor-group-container.active .editor-instance .monaco-editor';
const QUICK_INPUT = '.quick-input-widget';
const ACTION_WIDGET = '.action-widget';

/** The extension reports its server as failed: waiting longer cannot help. */
export class ServerError extends Error {
  constructor(languageStatus: string) {
    super(`the DynamoGuard server is in error (${languageStatus})`);
  }
}

export interface Squiggle {
  severity: 'error' | 'warning' | 'info' | 'hint';
  /** 1-based editor line, from the line number rendered at the squiggle's height. */
  line: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ProblemFile {
  kind: 'file';
  file: string;
  folder: string;
  count: number;
}

export interface ProblemMarker {
  kind: 'marker';
  /** The file group the marker is listed under. */
  file: string;
  folder: string;
  severity: string;
  message: string;
  source: string;
  code: string;
  href: string;
  line: number;
  column: number;
}

export type ProblemRow = ProblemFile | ProblemMarker;

export interface Hover {
  text: string;
  links: { text: string; href: string }[];
}

export class Workbench {
  private shots = 0;

  constructor(
    readonly page: Page,
    private readonly outputDir: string,
  ) {}

  // ---- generic waiting and evidence --------------------------------------------------------

  /** Polls `probe` until it returns a value other than undefined/false. */
  async waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined | false>,
    timeoutMs = 30000,
    /** What was observed instead, for the failure message. */
    observed?: () => string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
      } catch (error) {
        if (error instanceof ServerError) throw error;
        last = error;
      }
      if (Date.now() > deadline) {
        const cause = last instanceof Error ? ` (last error: ${last.message})` : '';
        const seen = observed ? `; observed: ${observed()}` : '';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${seen}`);
      }
      await this.page.waitForTimeout(50);
    }
  }

  /**
   * Waits until `probe` has held for `holdMs` without interruption: used for "this squiggle is
   * gone", which is also momentarily true while the editor re-renders after an edit.
   */
  async waitStable(what: string, probe: () => Promise<boolean>, holdMs = 1000, timeoutMs = 30000): Promise<void> {
    let since: number | undefined;
    await this.waitFor(what, async () => {
      if (!(await probe())) {
        since = undefined;
        return false;
      }
      since ??= Date.now();
      return Date.now() - since >= holdMs;
    }, timeoutMs);
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(this.outputDir, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    log(`  screenshot ${path.relative(process.cwd(), file)}`);
    return file;
  }

  /** Closes menus, hovers, pickers and widgets and moves the mouse out of the way. */
  async reset(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
    await this.page.mouse.move(1, 700);
  }

  /** What the workbench says about itself, for failure reports: notifications and language status. */
  async state(): Promise<string> {
    const toasts = await this.visibleToasts().catch(() => []);
    const status = await this.page.locator('[id="status.languageStatus"]').getAttribute('aria-label', { timeout: 1000 }).catch(() => null);
    return `notifications ${JSON.stringify(toasts)}; language status ${JSON.stringify(status)}`;
  }

  async waitForWorkbench(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90000 });
    // The explorer lists the folder once the workspace is resolved.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90000 });
  }

  // ---- editors ------------------------------------------------------------------------------

  /** Quick Open (Ctrl+P): types the workspace-relative path and opens the matching entry. */
  async quickOpen(relativePath: string): Promise<void> {
    const base = path.posix.basename(relativePath);
    const folder = path.posix.dirname(relativePath);
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator(`${QUICK_INPUT} input`);
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await this.page.keyboard.type(relativePath);
    // Quick Open labels results "name folder" (a file at the root: just "name"); only Enter once
    // ours is the focused one.
    const expected = folder === '.' ? base : `${base} ${folder}`;
    await this.waitFor(`Quick Open to offer "${expected}"`, async () => {
      const focused = await this.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`).first().getAttribute('aria-label', { timeout: 500 });
      return focused?.startsWith(expected) ?? false;
    }, 10000);
    await this.page.keyboard.press('Enter');
    await this.waitFor(`${relativePath} to be the active editor`, () => this.activeEditorIs(relativePath), 15000);
    await this.page.locator(`${EDITOR} .view-lines`).waitFor({ state: 'visible' });
  }

  /** The active tab shows `base` and the breadcrumbs show its folder. */
  async activeEditorIs(relativePath: string): Promise<boolean> {
    const base = path.posix.basename(relativePath);
    const tab = await this.page.locator('.part.editor .editor-group-container.active .tab.active').getAttribute('data-resource-name', { timeout: 1000 });
    if (tab !== base) return false;
    const crumbs = await this.page.locator('.part.editor .editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item').allInnerTexts();
    const expected = relativePath.split('/');
    return JSON.stringify(crumbs.slice(0, expected.length).map((c) => c.trim())) === JSON.stringify(expected);
  }

  /** `.py` files must be in language mode "Python" (the built-in grammar, no Python extension). */
  async languageMode(): Promise<{ statusBar: string; tabIcon: string }> {
    const statusBar = (await this.page.locator('[id="status.editor.mode"]').innerText()).trim();
    const tabIcon = (await this.page.locator('.part.editor .editor-group-container.active .tab.active .monaco-icon-label').getAttribute('class')) ?? '';
    return { statusBar, tabIcon };
  }

  /** Go to Line (Ctrl+G) `line:column`, then waits for the status bar to show the cursor there. */
  async goTo(line: number, column: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    await this.page.locator(`${QUICK_INPUT} input`).waitFor({ state: 'visible', timeout: 10000 });
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.waitFor(`the cursor at Ln ${line}, Col ${column}`, async () =>
      (await this.page.locator('[id="status.editor.selection"]').innerText()).trim() === `Ln ${line}, Col ${column}`,
    10000);
  }

  async focusEditor(): Promise<void> {
    // "Focus First Editor Group": keyboard focus into the editor without clicking text.
    await this.page.keyboard.press('Control+1');
    await this.waitFor('the editor to have focus', () => this.page.locator(`${EDITOR}.focused`).count().then((n) => n > 0), 5000);
  }

  async isDirty(): Promise<boolean> {
    return (await this.page.locator('.part.editor .editor-group-container.active .tab.active.dirty').count()) > 0;
  }

  async waitDirty(dirty: boolean): Promise<void> {
    await this.waitFor(`the active editor to be ${dirty ? 'modified' : 'saved'}`, async () => (await this.isDirty()) === dirty, 10000);
  }

  /** Ctrl+S and wait for the tab to lose its modified marker. */
  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await this.waitDirty(false);
  }

  /** Squiggles of the active editor's visible lines, with the line each one is drawn on. */
  async squiggles(): Promise<Squiggle[]> {
    return this.page.evaluate((editorSelector) => {
      const editor = document.querySelector(editorSelector);
      if (!editor) return [];
      const numbers = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers')).map((el) => {
        const r = el.getBoundingClientRect();
        return { line: Number((el.textContent ?? '').trim()), top: r.top, bottom: r.bottom };
      });
      const out: Squiggle[] = [];
      for (const el of Array.from(editor.querySelectorAll('.view-overlays [class*="squiggly-"]'))) {
        const severity = (['error', 'warning', 'info', 'hint'] as const).find((s) => el.classList.contains(`squiggly-${s}`));
        const r = el.getBoundingClientRect();
        const middle = r.top + r.height / 2;
        const at = numbers.find((n) => middle >= n.top && middle < n.bottom);
        if (severity && at) out.push({ severity, line: at.line, x: r.left, y: r.top, width: r.width, height: r.height });
      }
      return out;
    }, EDITOR);
  }

  async squigglesOn(line: number, severity?: Squiggle['severity']): Promise<Squiggle[]> {
    return (await this.squiggles()).filter((s) => s.line === line && (severity === undefined || s.severity === severity));
  }

  /** Fails at once when the language status reports that the DynamoGuard server is in error. */
  async waitForSquiggle(line: number, severity: Squiggle['severity'], timeoutMs = 30000): Promise<Squiggle> {
    const article = severity === 'error' || severity === 'info' ? 'an' : 'a';
    return this.waitFor(`${article} ${severity} squiggle on line ${line}`, async () => {
      const found = (await this.squigglesOn(line, severity))[0];
      if (found) return found;
      const status = await this.page.locator('[id="status.languageStatus"]').getAttribute('aria-label', { timeout: 1000 }).catch(() => null);
      if (status?.includes('DynamoGuard: error')) throw new ServerError(status);
      return undefined;
    }, timeoutMs);
  }

  /** The text of a rendered editor line (the line must be visible). */
  async lineText(line: number): Promise<string | undefined> {
    return this.page.evaluate(
      ({ editorSelector, line }) => {
        const editor = document.querySelector(editorSelector);
        if (!editor) return undefined;
        const number = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers')).find(
          (el) => Number((el.textContent ?? '').trim()) === line,
        );
        if (!number) return undefined;
        const r = number.getBoundingClientRect();
        const middle = r.top + r.height / 2;
        const view = Array.from(editor.querySelectorAll('.view-lines .view-line')).find((el) => {
          const b = el.getBoundingClientRect();
          return middle >= b.top && middle < b.bottom;
        });
        return view?.textContent?.replace(/\u00a0/g, ' ');
      },
      { editorSelector: EDITOR, line },
    );
  }

  /** Moves the mouse onto a squiggle and returns the hover that opens. */
  async hover(squiggle: Squiggle, mustContain: string): Promise<Hover> {
    await this.page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
    return this.waitFor(`a hover containing "${mustContain}"`, async () => {
      const hovers = await this.page.evaluate(() =>
        Array.from(document.querySelectorAll('.monaco-hover:not(.hidden)')).map((el) => ({
          text: el.innerText,
          links: Array.from(el.querySelectorAll('a[href]')).map((a) => ({ text: a.innerText.trim(), href: a.getAttribute('href') ?? '' })),
        })),
      );
      return hovers.find((h) => h.text.includes(mustContain));
    }, 10000);
  }

  // ---- code actions ---------------------------------------------------------------------------

  /** Ctrl+. at the cursor: the titles of the actions in the lightbulb menu. */
  async openQuickFixMenu(): Promise<string[]> {
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator(`${ACTION_WIDGET} .monaco-list-row.action`);
    await rows.first().waitFor({ state: 'visible', timeout: 10000 });
    return (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''))) as string[];
  }

  /**
   * Picks an action of the open lightbulb menu with the keyboard, as the menu intends (its
   * pointer-blocking overlay swallows synthetic clicks): arrow down to it, Enter.
   */
  async chooseQuickFix(titlePrefix: string): Promise<string> {
    const focused = () => this.page.locator(`${ACTION_WIDGET} .monaco-list-row.action.focused`).getAttribute('aria-label', { timeout: 2000 });
    const count = await this.page.locator(`${ACTION_WIDGET} .monaco-list-row.action`).count();
    for (let i = 0; i <= count; i++) {
      const title = await focused();
      if (title?.startsWith(titlePrefix)) {
        await this.page.keyboard.press('Enter');
        await this.page.locator(ACTION_WIDGET).waitFor({ state: 'hidden', timeout: 5000 });
        return title;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`no "${titlePrefix}" in the lightbulb menu`);
  }

  // ---- Problems view ----------------------------------------------------------------------------

  async openProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    // Ctrl+Shift+M toggles: only press it when the view is not showing.
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 10000 });
  }

  /**
   * Every row of the Problems tree. The tree is virtualised (only the rows in view exist in the
   * DOM), so it is scrolled from top to bottom with the mouse wheel, collecting rows by index.
   * (Not with the keyboard: moving the tree's focus opens the focused problem's file.) Each wheel
   * event scrolls a couple of rows, whatever its delta, and is dispatched asynchronously: after
   * each one, wait for the rendered rows to change; when they no longer do, the end is reached.
   */
  async problems(): Promise<ProblemRow[]> {
    await this.openProblems();
    const rows = new Map<number, RawProblemRow>();
    const visible = async () => {
      const batch = await readProblemRows(this.page);
      for (const row of batch) rows.set(row.index, row);
      return batch.map((r) => r.index);
    };
    const scroll = async (deltaY: number): Promise<boolean> => {
      const before = (await visible()).join(',');
      await this.page.mouse.wheel(0, deltaY);
      return this.waitFor('the Problems tree to scroll', async () => (await visible()).join(',') !== before, 500).then(
        () => true,
        () => false,
      );
    };
    if ((await visible()).length > 0) {
      const box = await this.page.locator('.markers-panel .monaco-list').first().boundingBox();
      if (!box) throw new Error('the Problems tree has no size');
      // Near the left edge: notification toasts sit at the bottom right.
      await this.page.mouse.move(box.x + 60, box.y + box.height / 2);
      for (let i = 0; i < 1000 && (await visible())[0] !== 0; i++) await scroll(-200);
      rows.clear();
      for (let i = 0; i < 1000 && (await scroll(200)); i++);
      for (let i = 0; i < 1000 && (await visible())[0] !== 0; i++) await scroll(-200);
      await this.page.mouse.move(1, 700);
    }
    const sorted = [...rows.values()].sort((a, b) => a.index - b.index);
    if (sorted.some((row, i) => row.index !== i)) throw new Error(`missed Problems rows: ${sorted.map((r) => r.index).join(',')}`);
    return toProblems(sorted);
  }

  /** The status bar's problem counts ("Errors: 2, Warnings: 5"). */
  async problemCounts(): Promise<{ errors: number; warnings: number }> {
    const label = (await this.page.locator('[id="status.problems"]').getAttribute('aria-label')) ?? '';
    const count = (what: string) => Number(new RegExp(`${what}: (\\d+)`).exec(label)?.[1] ?? 0);
    return { errors: count('Errors'), warnings: count('Warnings') };
  }

  // ---- commands, notifications, status bar ------------------------------------------------------

  /** F1, type the command's title, run it once it is the focused entry. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.locator(`${QUICK_INPUT} input`).waitFor({ state: 'visible', timeout: 10000 });
    await this.page.keyboard.type(title);
    await this.waitFor(`the command palette to offer "${title}"`, async () => {
      const focused = await this.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`).first().getAttribute('aria-label', { timeout: 500 });
      return focused?.startsWith(title) ?? false;
    }, 10000);
    await this.page.keyboard.press('Enter');
    await this.page.locator(`${QUICK_INPUT}`).waitFor({ state: 'hidden', timeout: 5000 });
  }

  /** Records the text of every notification toast from now on, however briefly it shows. */
  async recordToasts(): Promise<void> {
    await this.page.evaluate(() => {
      const seen: string[] = [];
      window.dgToasts = seen;
      const record = () => {
        for (const toast of Array.from(document.querySelectorAll('.notification-toast .notification-list-item-message'))) {
          const text = toast.innerText.trim();
          if (text && !seen.includes(text)) seen.push(text);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
      record();
    });
  }

  async recordedToasts(): Promise<string[]> {
    return this.page.evaluate(() => [...(window.dgToasts ?? [])]);
  }

  async visibleToasts(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  async clickToastButton(toastText: string, button: string): Promise<void> {
    await this.page.locator('.notification-toast').filter({ hasText: toastText }).getByRole('button', { name: button }).click();
  }
}

interface RawProblemRow {
  index: number;
  level: number;
  aria: string;
  severity: string;
  message: string;
  source: string;
  code: string;
  href: string;
  position: string;
}

function readProblemRows(page: Page): Promise<RawProblemRow[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.markers-panel .monaco-list-rows > .monaco-list-row')).map((row) => {
      const text = (selector: string) => row.querySelector(selector)?.innerText.trim() ?? '';
      const icon = row.querySelector('.marker-icon');
      const severity = ['error', 'warning', 'info'].find((s) => icon?.classList.contains(s)) ?? '';
      return {
        index: Number(row.getAttribute('data-index')),
        level: Number(row.getAttribute('aria-level')),
        aria: row.getAttribute('aria-label') ?? '',
        severity,
        message: text('.marker-message'),
        source: text('.marker-source'),
        code: text('.marker-code'),
        href: row.querySelector('a.monaco-link')?.getAttribute('href') ?? '',
        position: text('.marker-line'),
      };
    }),
  );
}

/** File rows ("7 problems in file app.py of folder flask_app") and the markers under them. */
function toProblems(rows: RawProblemRow[]): ProblemRow[] {
  const out: ProblemRow[] = [];
  let current: ProblemFile | undefined;
  for (const row of rows) {
    if (row.level === 1) {
      const m = /^(\d+) problems? in file (.+?)(?: of folder (.+))?$/.exec(row.aria);
      current = { kind: 'file', file: m?.[2] ?? row.aria, folder: m?.[3] ?? '', count: Number(m?.[1] ?? 0) };
      out.push(current);
    } else if (row.level === 2 && row.code) {
      const pos = /\[Ln (\d+), Col (\d+)\]/.exec(row.position);
      out.push({
        kind: 'marker',
        file: current?.file ?? '',
        folder: current?.folder ?? '',
        severity: row.severity,
        message: row.message,
        source: row.source,
        code: row.code,
        href: row.href,
        line: Number(pos?.[1] ?? 0),
        column: Number(pos?.[2] ?? 0),
      });
    }
  }
  return out;
}

export function markers(rows: ProblemRow[]): ProblemMarker[] {
  return rows.filter((r): r is ProblemMarker => r.kind === 'marker');
}

export function describeMarkers(rows: ProblemRow[]): string {
  return JSON.stringify(markers(rows).map((m) => `${m.folder}/${m.file}:${m.line} ${m.code}`));
}
