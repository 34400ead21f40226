// A visitor at the demo: headless chromium with the workbench open, the Scheduler view shown, every
// notification VS Code shows collected, and a screenshot on request. The demo's smoke run uses it
// so that what a person would see (the extension running, its announcements) is checked too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';

export interface Visitor {
  /** Every notification message seen so far, in order of first sight. */
  notifications(): string[];
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

export async function visit(url: string, timeoutMs = 90_000): Promise<Visitor> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-visitor-'));
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(scratch);
    const page: Page = await browser.newPage({ viewport: { width: 1500, height: 920 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
    // Show Lockstep's container: its icon in the activity bar (there once the extension host has registered it).
    const icon = page.locator('.activitybar .action-item a[aria-label^="Lockstep"]').first();
    await icon.waitFor({ state: 'visible', timeout: timeoutMs });
    await icon.click();

    const seen: string[] = [];
    const collect = async () => {
      const msgs = await page
        .locator('.notifications-toasts .notification-list-item-message')
        .evaluateAll((els) => els.map((el) => (el.textContent ?? '').trim()))
        .catch(() => [] as string[]);
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
