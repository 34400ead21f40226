// A real VS Code workbench (code-server + Debian chromium) with given extensions installed, opened on
// a folder, and helpers that read what a person sees. Selectors were taken from VS Code 1.100.3's DOM.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { codeServerDirs, collectLogs, installExtensions, startCodeServer, type CodeServerDirs, type RunningCodeServer } from './codeServer';
import { artifactsDir, assertE2eInstalled } from './paths';
import { waitFor } from './waitFor';
import { notificationsSeen, recordNotifications, uiEventsSeen } from '../../../scripts/support/notificationRecorder';

export interface WorkbenchOptions {
  /** .vsix file(s) to install into the fresh extensions dir. */
  vsix: string | string[];
  /** Folder to open (usually a temp git repo). */
  folder: string;
  /** User settings merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host (e.g. to point the extension at things). */
  env?: Record<string, string>;
  /** Names the failure artifacts withWorkbench saves (`<name>-FAILED.png`, `<name>-FAILED-logs.txt`); default "workbench". */
  name?: string;
  viewport?: { width: number; height: number };
  /** How long the workbench may take to show the explorer (default 90 s; about 12 s on an idle machine). */
  readyTimeoutMs?: number;
}

export interface StatusBarItem {
  /** `<publisher>.<extension name>.<item id>` for extension items, e.g. `lockstep-dev.lockstep.status`. */
  id: string;
  /** Visible text; codicons like $(lock) render as icons and are not part of it. */
  text: string;
  /** Text with codicon names and the tooltip, e.g. "lock  Smoke: 1 lock, tooltip". */
  ariaLabel: string;
}

export interface ExplorerDecoration {
  /** The badge letters (FileDecoration.badge), e.g. "LK"; undefined when the row has no badge. */
  badge?: string;
  /** FileDecoration.tooltip, which VS Code appends to the label's aria-label after " • ". */
  tooltip?: string;
  /** Computed colour of the file name (FileDecoration.color), e.g. "rgb(229, 20, 0)". */
  color: string;
}

export interface TreeItem {
  label: string;
  description: string;
  /** What a screen reader hears: label, description and tooltip as VS Code joins them. */
  ariaLabel: string;
  /** 1 for top-level items. */
  level: number;
  expanded?: boolean;
}

export interface EditorLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** Text injected by decorations' `before`/`after` contentText on this line. */
  injectedText: string[];
  /** Classes of whole-line or range overlays (backgrounds, borders) on this line, e.g. "cdr ced-2-TextEditorDecorationType8-0". */
  overlays: string[];
  /** Classes of gutter decorations (gutterIconPath) on this line. */
  gutter: string[];
}

export interface StartupTimings {
  /** `code-server --install-extension` of all vsix files. */
  installMs: number;
  /** Spawning code-server until it listens. */
  serverListeningMs: number;
  /** Browser launch and page load until the explorer shows rows. */
  workbenchReadyMs: number;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  codeServer: RunningCodeServer;
  dirs: CodeServerDirs;
  folder: string;
  /** The workbench URL opened in the browser. */
  url: string;
  /** How long each startup phase took (for diagnostics; never assert on it). */
  timings: StartupTimings;
  /** Saves `<project>/test-artifacts/e2e/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Runs a command by its palette title (e.g. "Lockstep: Show Matrix") through F1. */
  runCommand(title: string): Promise<void>;
  statusBarItems(): Promise<StatusBarItem[]>;
  /** All status bar items' text joined with " | ". */
  statusBarText(): Promise<string>;
  /** Waits until one status bar item's text or aria-label matches; returns that item. */
  waitForStatusBar(pattern: RegExp, timeoutMs?: number): Promise<StatusBarItem>;
  /** The explorer row of a workspace-relative path (its parent folders are expanded first by revealInExplorer). */
  explorerItem(relPath: string): Locator;
  /** Expands the parent folders of relPath in the explorer and waits for its row. */
  revealInExplorer(relPath: string): Promise<Locator>;
  explorerDecoration(relPath: string): Promise<ExplorerDecoration>;
  /** Waits until relPath's explorer row shows `badge` (exact string or pattern); returns its decoration. */
  waitForExplorerBadge(relPath: string, badge: string | RegExp, timeoutMs?: number): Promise<ExplorerDecoration>;
  /** Waits until relPath's explorer row shows no badge. */
  waitForNoExplorerBadge(relPath: string, timeoutMs?: number): Promise<void>;
  /** Opens a workspace-relative file through quick open (Ctrl+P) and waits for its editor. */
  openFile(relPath: string): Promise<void>;
  /** The visible lines of the active text editor with their decorations. */
  editorLines(): Promise<EditorLine[]>;
  /** Items of a tree view by its title (e.g. "Smoke Leases"); opens and expands the view if needed. */
  treeItems(viewTitle: string): Promise<TreeItem[]>;
  /** Text of a view's welcome content (contributes.viewsWelcome), shown instead of an empty tree. */
  viewWelcomeText(viewTitle: string): Promise<string>;
  /**
   * The document inside the index-th visible webview (panels and webview views), e.g.
   * `wb.webview().locator('#matrix td')`. Webviews are two nested iframes outside the editor's DOM.
   */
  webview(index?: number): FrameLocator;
  /** Polls treeItems until `predicate` holds; returns the items. */
  waitForTreeItems(viewTitle: string, predicate: (items: TreeItem[]) => boolean, timeoutMs?: number): Promise<TreeItem[]>;
  /** Messages of the notification toasts currently shown. */
  notifications(): Promise<string[]>;
  waitForNotification(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Answers "Run" when VS Code asks before running plan commands not yet approved (a modal); false if it did not ask. */
  approvePlanCommands(timeoutMs?: number): Promise<boolean>;
  /** The extension host's and server's logs (user-data-dir/logs), plus code-server's own output. */
  logs(): string;
  /** Stops exactly what startWorkbench started (browser, code-server's process group) and removes its temp dirs. */
  close(): Promise<void>;
}

export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'editor.minimap.enabled': false,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  // One explorer row per folder (no "src/deep" rows), so explorerItem(relPath) finds every folder.
  'explorer.compactFolders': false,
  'chat.commandCenter.enabled': false,
};

const POLL_MS = 200;

export async function startWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  assertE2eInstalled();
  const folder = fs.realpathSync(opts.folder);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-e2e-'));
  const dirs = codeServerDirs(root);
  let codeServer: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let closed = false;
  const cleanup = async () => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    await codeServer?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    await installExtensions(dirs, Array.isArray(opts.vsix) ? opts.vsix : [opts.vsix]);
    const t1 = Date.now();
    const userDir = path.join(dirs.userDataDir, 'User');
    fs.mkdirSync(userDir, { recursive: true });
    fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...defaultSettings, ...opts.settings }, null, 2));

    codeServer = await startCodeServer(dirs, folder, opts.env);
    const t2 = Date.now();
    browser = await launchChromium(path.join(root, 'chromium'));
    page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    await recordNotifications(page);
    const url = `${codeServer.url}?folder=${encodeURIComponent(folder)}`;
    const readyTimeout = opts.readyTimeoutMs ?? 90_000;
    await page.goto(url, { timeout: readyTimeout });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: readyTimeout });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: readyTimeout });
    const timings = { installMs: t1 - t0, serverListeningMs: t2 - t1, workbenchReadyMs: Date.now() - t2 };
    return makeWorkbench({ page, browser, codeServer, dirs, folder, url, timings, cleanup });
  } catch (err) {
    const name = `${opts.name ?? 'workbench'}-START-FAILED`;
    const logs = codeServer ? saveFailureLogs(name, formatLogs(dirs, codeServer)) : '';
    if (page) await page.screenshot({ path: artifactPath(`${name}.png`) }).catch(() => undefined);
    await cleanup();
    if (err instanceof Error && logs) err.message += `\n(screenshot and code-server logs: ${artifactPath(name)}*)`;
    throw err;
  }
}

/**
 * Starts a workbench, runs `fn`, and closes it. On failure saves a screenshot `<name>-FAILED.png` and
 * prints the extension host's logs before rethrowing.
 */
export async function withWorkbench<T>(opts: WorkbenchOptions, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await startWorkbench(opts);
  try {
    return await fn(wb);
  } catch (err) {
    const name = `${opts.name ?? 'workbench'}-FAILED`;
    const shot = await wb.screenshot(name).catch(() => '(no screenshot)');
    const logs = wb.logs();
    const logFile = saveFailureLogs(name, logs);
    process.stderr.write(`\n[e2e] failure screenshot: ${shot}\n[e2e] logs saved to ${logFile}; code-server logs:\n${logs}\n`);
    // In the error itself (CI shows the error and only the tail of the logs): what VS Code told the user.
    const told = await notificationsSeen(wb.page);
    if (err instanceof Error) err.message += `\nnotifications shown during the test: ${told.length ? told.map((m) => JSON.stringify(m)).join(', ') : '(none)'}`;
    const events = await uiEventsSeen(wb.page);
    if (err instanceof Error && events.length) err.message += `\nlast clicks and quick inputs: ${events.join(' | ')}`;
    throw err;
  } finally {
    await wb.close();
  }
}

interface Parts {
  page: Page;
  browser: Browser;
  codeServer: RunningCodeServer;
  dirs: CodeServerDirs;
  folder: string;
  url: string;
  timings: StartupTimings;
  cleanup: () => Promise<void>;
}

function makeWorkbench(p: Parts): Workbench {
  const { page, folder } = p;
  const absPath = (relPath: string) => path.join(folder, ...relPath.split('/'));

  const quickInput = page.locator('.quick-input-widget');
  const quickInputBox = quickInput.locator('.quick-input-box input');

  /** Waits for a quick-input row whose label matches, clicks it, and waits for the widget to close. */
  async function pickQuickInputRow(label: RegExp, description?: RegExp): Promise<void> {
    let row = quickInput.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) });
    if (description) row = row.filter({ has: page.locator('.label-description', { hasText: description }) });
    await row.first().waitFor({ state: 'visible', timeout: 20_000 });
    await row.first().click();
    await quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  async function openQuickInput(key: string, text: string): Promise<void> {
    await page.keyboard.press(key);
    await quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
    await quickInputBox.fill(text);
  }

  const explorerRows = page.locator('.explorer-folders-view .monaco-list-row');
  function explorerItem(relPath: string): Locator {
    const abs = absPath(relPath);
    // The row's aria-label is only the base name; its icon label carries the full path, then
    // " • <decoration tooltip>" when a FileDecoration has one.
    const label = page.locator(`.monaco-icon-label[aria-label="${cssString(abs)}"], .monaco-icon-label[aria-label^="${cssString(abs + ' • ')}"]`);
    return explorerRows.filter({ has: label });
  }

  async function revealInExplorer(relPath: string): Promise<Locator> {
    const parts = relPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dirRow = explorerItem(parts.slice(0, i).join('/'));
      await dirRow.waitFor({ state: 'visible', timeout: 20_000 });
      if ((await dirRow.getAttribute('aria-expanded')) === 'false') await dirRow.click();
      // The list re-renders rows, so poll the locator rather than hold an element handle.
      await poll(`${parts.slice(0, i).join('/')} expanded in the explorer`, 10_000, () => dirRow.getAttribute('aria-expanded'), (v) => v === 'true');
    }
    const row = explorerItem(relPath);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    return row;
  }

  async function explorerDecoration(relPath: string): Promise<ExplorerDecoration> {
    const row = explorerItem(relPath);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    // VS Code draws the badge as CSS `content` of the icon label's ::after, from a generated
    // `.monaco-decoration-itemBadge-<hash>::after` rule; the letters are not in the DOM text.
    return row.locator('.monaco-icon-label').first().evaluate((el, abs) => {
      const after = getComputedStyle(el, '::after').content;
      const badge = after && after !== 'none' && after !== 'normal' ? after.replace(/^"(.*)"$/s, '$1') : undefined;
      const aria = el.getAttribute('aria-label') ?? '';
      const tooltip = aria.startsWith(abs + ' • ') ? aria.slice(abs.length + 3) : undefined;
      const name = el.querySelector('.label-name') ?? el;
      return { badge: badge || undefined, tooltip, color: getComputedStyle(name).color };
    }, absPath(relPath));
  }

  function poll<T>(what: string, timeoutMs: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    return waitFor(what, read, ok, timeoutMs, POLL_MS);
  }

  async function statusBarItems(): Promise<StatusBarItem[]> {
    return page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els.map((el) => ({
        id: el.id,
        text: ((el as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim(),
        ariaLabel: el.getAttribute('aria-label') ?? '',
      })),
    );
  }

  function paneOf(viewTitle: string): Locator {
    const header = page.locator('.pane-header').filter({
      has: page.locator('.title', { hasText: new RegExp(`^\\s*${escapeRegExp(viewTitle)}\\s*$`, 'i') }),
    });
    return page.locator('.pane').filter({ has: header });
  }

  async function showView(viewTitle: string): Promise<Locator> {
    let pane = paneOf(viewTitle);
    if (!(await pane.first().isVisible())) {
      // Every view contributes a "Focus on <name> View" command; it opens the view's container too.
      await openQuickInput('F1', `>Focus on ${viewTitle} View`);
      await pickQuickInputRow(new RegExp(`Focus on ${escapeRegExp(viewTitle)} View$`, 'i'));
      pane = paneOf(viewTitle);
      await pane.first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    const header = pane.first().locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.first().locator('.pane-body').waitFor({ state: 'visible', timeout: 10_000 });
    return pane.first();
  }

  async function treeItems(viewTitle: string): Promise<TreeItem[]> {
    const pane = await showView(viewTitle);
    return pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => {
        const expanded = row.getAttribute('aria-expanded');
        return {
          label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
          ariaLabel: row.getAttribute('aria-label') ?? '',
          level: Number(row.getAttribute('aria-level') ?? '1'),
          ...(expanded === null ? {} : { expanded: expanded === 'true' }),
        };
      }),
    );
  }

  async function viewWelcomeText(viewTitle: string): Promise<string> {
    const pane = await showView(viewTitle);
    const welcome = pane.locator('.pane-body .welcome-view-content');
    await welcome.first().waitFor({ state: 'visible', timeout: 10_000 });
    return (await welcome.first().innerText()).trim();
  }

  function webview(index = 0): FrameLocator {
    // Each webview's outer iframe sits in a div positioned over its editor or view (hidden ones get
    // visibility: hidden); its content document is the inner #active-frame.
    return page
      .locator('div[data-parent-flow-to-element-id]:not([style*="visibility: hidden"]) > iframe.webview.ready')
      .nth(index)
      .contentFrame()
      .locator('#active-frame')
      .contentFrame();
  }

  async function notifications(): Promise<string[]> {
    return page
      .locator('.notifications-toasts .notification-toast .notification-list-item-message')
      .evaluateAll((els) => els.map((el) => (el.textContent ?? '').trim()));
  }

  const wb: Workbench = {
    page,
    browser: p.browser,
    codeServer: p.codeServer,
    dirs: p.dirs,
    folder,
    url: p.url,
    timings: p.timings,

    async screenshot(name) {
      const file = artifactPath(`${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },

    async runCommand(title) {
      await openQuickInput('F1', `>${title}`);
      await pickQuickInputRow(new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i'));
    },

    statusBarItems,
    async statusBarText() {
      return (await statusBarItems())
        .map((i) => i.text)
        .filter(Boolean)
        .join(' | ');
    },
    async waitForStatusBar(pattern, timeoutMs = 30_000) {
      const items = await poll(`a status bar item matching ${pattern}`, timeoutMs, statusBarItems, (items) =>
        items.some((i) => pattern.test(i.text) || pattern.test(i.ariaLabel)),
      );
      return items.find((i) => pattern.test(i.text) || pattern.test(i.ariaLabel))!;
    },

    explorerItem,
    revealInExplorer,
    explorerDecoration,
    async waitForExplorerBadge(relPath, badge, timeoutMs = 30_000) {
      const matches = (b?: string) => b !== undefined && (typeof badge === 'string' ? b === badge : badge.test(b));
      return poll(`explorer badge ${badge} on ${relPath}`, timeoutMs, () => explorerDecoration(relPath), (d) => matches(d.badge));
    },
    async waitForNoExplorerBadge(relPath, timeoutMs = 30_000) {
      await poll(`no explorer badge on ${relPath}`, timeoutMs, () => explorerDecoration(relPath), (d) => d.badge === undefined);
    },

    async openFile(relPath) {
      const base = path.posix.basename(relPath);
      const dir = path.posix.dirname(relPath);
      await openQuickInput('Control+P', relPath);
      await pickQuickInputRow(new RegExp(`^${escapeRegExp(base)}$`), dir === '.' ? undefined : new RegExp(escapeRegExp(dir)));
      // The active tab's title is the base name; then wait for the editor's text to render.
      await page
        .locator('.tabs-container .tab.active')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(base)}$`) }) })
        .waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 20_000 });
    },

    async editorLines() {
      const editor = page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
      await editor.waitFor({ state: 'visible', timeout: 20_000 });
      // No helper functions inside: tsx's keepNames would wrap them in __name(), which the page lacks.
      return editor.evaluate((ed) => {
        const lineNumbers = new Map<string, number>();
        const gutter = new Map<string, string[]>();
        for (const m of Array.from(ed.querySelectorAll<HTMLElement>('.margin-view-overlays > div'))) {
          const n = Number(m.querySelector('.line-numbers')?.textContent);
          if (n) lineNumbers.set(m.style.top, n);
          gutter.set(m.style.top, Array.from(m.querySelectorAll('.cgmr')).map((g) => g.className));
        }
        const overlays = new Map<string, string[]>();
        for (const o of Array.from(ed.querySelectorAll<HTMLElement>('.view-overlays > div'))) {
          overlays.set(o.style.top, Array.from(o.children).map((c) => c.className).filter((c) => /\bced-|\bcdr\b/.test(c)));
        }
        const lines = Array.from(ed.querySelectorAll<HTMLElement>('.view-lines .view-line')).map((vl) => {
          // Decoration text (before/after contentText) is CSS content of empty spans with ced-* classes.
          const injectedText: string[] = [];
          for (const span of Array.from(vl.querySelectorAll('[class*="ced-"]'))) {
            for (const which of ['::before', '::after']) {
              const c = getComputedStyle(span, which).content;
              if (c && c !== 'none' && c !== 'normal') injectedText.push(c.replace(/^"(.*)"$/s, '$1'));
            }
            if (span.textContent) injectedText.push(span.textContent);
          }
          const spans = Array.from(vl.querySelectorAll('span > span')).filter((x) => !/\bced-/.test(x.className));
          return {
            line: lineNumbers.get(vl.style.top) ?? 0,
            text: spans.map((x) => x.textContent ?? '').join('').replace(/\u00a0/g, ' '),
            injectedText,
            overlays: overlays.get(vl.style.top) ?? [],
            gutter: gutter.get(vl.style.top) ?? [],
          };
        });
        return lines.sort((a, b) => a.line - b.line);
      });
    },

    treeItems,
    viewWelcomeText,
    webview,
    async waitForTreeItems(viewTitle, predicate, timeoutMs = 30_000) {
      return poll(`tree items of "${viewTitle}"`, timeoutMs, () => treeItems(viewTitle), predicate);
    },

    notifications,
    async approvePlanCommands(timeoutMs = 20_000) {
      const run = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Run$/ });
      try {
        await run.waitFor({ state: 'visible', timeout: timeoutMs });
      } catch {
        return false;
      }
      await run.click();
      return true;
    },
    async waitForNotification(pattern, timeoutMs = 30_000) {
      const msgs = await poll(`a notification matching ${pattern}`, timeoutMs, notifications, (m) => m.some((x) => pattern.test(x)));
      // Toasts slide in; wait for the end of the animation so a screenshot shows them.
      await page
        .locator('.notifications-toasts .notification-toast.notification-fade-in-done')
        .filter({ has: page.locator('.notification-list-item-message', { hasText: pattern }) })
        .first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      return msgs.find((x) => pattern.test(x))!;
    },

    logs: () => formatLogs(p.dirs, p.codeServer),

    async close() {
      await p.cleanup();
    },
  };
  return wb;
}

/** A path under test-artifacts/e2e/ (created) for a file name made safe. */
function artifactPath(fileName: string): string {
  fs.mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, fileName.replace(/[^\w.-]+/g, '-'));
}

function saveFailureLogs(name: string, logs: string): string {
  const file = artifactPath(`${name}-logs.txt`);
  fs.writeFileSync(file, logs);
  return file;
}

function formatLogs(dirs: CodeServerDirs, codeServer: RunningCodeServer): string {
  const parts = collectLogs(dirs).map((l) => `=== ${l.file} ===\n${l.text.trimEnd()}`);
  parts.push(`=== code-server output ===\n${codeServer.output().trimEnd()}`);
  return parts.join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
