// A visitor at the demo: headless chromium with the workbench open, the Scheduler view shown, every
// notification VS Code shows collected, and a screenshot on request. The demo's smoke run uses it
// so that what a person would see (the extension running, its announcements) is checked too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { notificationsSeen, recordNotifications } from './notificationRecorder';
import { launchChromium } from './browser';

export interface Visitor {
  /** Every notification message seen so far, in order of first sight. */
  notifications(): string[];
  screenshot(file: string): Promise<void>;
  /**
   * The conflict matrix's cell of row `a` × column `b` as VS Code shows it (`L1`, `P1`…, '' when
   * empty); undefined while no open matrix lists both.
   */
  matrixCell(a: string, b: string): Promise<string | undefined>;
  /** Clicks that cell, so the matrix lists the files the two share and who touched each. */
  selectMatrixCell(a: string, b: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The visible webviews' content frames (two nested iframes each, outside the editor's DOM). */
function webviews(page: Page, count: number): FrameLocator[] {
  const outer = page.locator('div[data-parent-flow-to-element-id]:not([style*="visibility: hidden"]) > iframe.webview.ready');
  return Array.from({ length: count }, (_, i) => outer.nth(i).contentFrame().locator('#active-frame').contentFrame());
}

/** The matrix frame and the cell locator of `a` × `b` in it, when an open matrix lists both. */
async function findMatrixCell(page: Page, a: string, b: string) {
  const count = await page.locator('div[data-parent-flow-to-element-id]:not([style*="visibility: hidden"]) > iframe.webview.ready').count();
  for (const f of webviews(page, count)) {
    const ids = await f
      .locator('#matrix .row-head .row-id')
      .allTextContents()
      .catch(() => [] as string[]);
    const row = ids.indexOf(a);
    const col = ids.indexOf(b);
    if (row >= 0 && col >= 0) return { frame: f, cell: f.locator(`#matrix td.cell[data-row="${row}"][data-col="${col}"]`) };
  }
  return undefined;
}

/**
 * Opens the workbench and Lockstep's container. `readyRows`: tree rows (e.g. the plan's "Phase 1") to wait
 * for, besides the status bar's lock count, before returning: Lockstep has then had its first views, and
 * VS Code announces what changes from there (a first view announces nothing).
 */
export async function visit(url: string, opts: { timeoutMs?: number; readyRows?: RegExp[] } = {}): Promise<Visitor> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-visitor-'));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(scratch);
    const page: Page = await browser.newPage({ viewport: { width: 1500, height: 920 } });
    await recordNotifications(page);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
    // Show Lockstep's container: its icon in the activity bar (there once the extension host has registered it).
    const icon = page.locator('.activitybar .action-item a[aria-label^="Lockstep"]').first();
    await icon.waitFor({ state: 'visible', timeout: timeoutMs });
    await icon.click();
    await page.locator('.statusbar-item', { hasText: /\d+ locks?\b/ }).first().waitFor({ state: 'visible', timeout: timeoutMs });
    for (const row of opts.readyRows ?? []) await page.locator('.monaco-list-row', { hasText: row }).first().waitFor({ state: 'visible', timeout: timeoutMs });

    const seen: string[] = [];
    const collect = async () => {
      const msgs = await notificationsSeen(page);
      for (const m of msgs) if (m && !seen.includes(m)) seen.push(m);
    };
    const timer = setInterval(() => void collect(), 300);
    const b = browser;
    return {
      notifications: () => [...seen],
      async screenshot(file) {
        await collect();
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file });
      },
      async matrixCell(a, b) {
        const found = await findMatrixCell(page, a, b);
        if (!found) return undefined;
        return ((await found.cell.locator('.label').textContent({ timeout: 5_000 }).catch(() => null)) ?? '').trim();
      },
      async selectMatrixCell(a, b) {
        const found = await findMatrixCell(page, a, b);
        if (!found) return false;
        await found.cell.click({ timeout: 10_000 });
        await found.frame.locator('#detail .detail-title', { hasText: `${a} × ${b}` }).waitFor({ timeout: 10_000 });
        return true;
      },
      async close() {
        clearInterval(timer);
        await b.close().catch(() => undefined);
        fs.rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
}
