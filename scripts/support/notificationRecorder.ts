// Records every notification VS Code renders (and, for failure messages, the clicks and quick-input
// changes), inside the page, the moment it renders it: a toast can
// come and go (hidden after a while, or pushed out by newer ones) between two looks from outside on
// a loaded machine, and would then count as never shown. Used by the demo's visitor and the e2e
// harness. A string, not a function: tsx's keepNames would wrap a function's inner helpers in
// __name(), which the page lacks.
import type { Page } from 'playwright-core';

const RECORDER = `(() => {
  const seen = [];
  window.__lockstepNotifications = seen;
  const inNotifications = (n) => {
    const el = n instanceof Element ? n : n.parentElement;
    return !!(el && el.closest('.notifications-toasts, .notifications-center'));
  };
  new MutationObserver((mutations) => {
    // The workbench changes its DOM all the time: look only when a notification list changed.
    if (!mutations.some((m) => inNotifications(m.target))) return;
    for (const el of Array.from(document.querySelectorAll('.notification-list-item-message'))) {
      const text = (el.textContent || '').trim();
      if (text && !seen.includes(text)) seen.push(text);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
  // What the user did and what opened, for a failure's message: clicks (their target) and the quick
  // input shown or hidden, newest last.
  const events = [];
  window.__lockstepEvents = events;
  const stamp = () => new Date().toISOString().slice(11, 23);
  const push = (e) => { events.push(stamp() + ' ' + e); if (events.length > 40) events.shift(); };
  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    const label = t ? (t.closest('a,button,.monaco-button,.monaco-list-row,[role=button]') || t) : null;
    push('click ' + (label ? label.tagName.toLowerCase() + '.' + String(label.className).split(' ').slice(0, 2).join('.') + ' "' + (label.textContent || '').trim().slice(0, 40) + '"' : '?'));
  }, true);
  let shown = false;
  setInterval(() => {
    const w = document.querySelector('.quick-input-widget');
    const now = !!w && getComputedStyle(w).display !== 'none';
    if (now !== shown) {
      shown = now;
      const title = w && w.querySelector('.quick-input-title');
      push(now ? 'quick input shown "' + ((title && title.textContent) || '').trim() + '"' : 'quick input hidden');
    }
  }, 50);
})();`;

/** Installs the recorder on `page`; call before its first navigation. */
export async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript({ content: RECORDER });
}

/** The clicks and quick-input changes recorded so far (the last 40), oldest first. */
export async function uiEventsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as unknown as { __lockstepEvents?: string[] }).__lockstepEvents ?? [])]).catch(() => [] as string[]);
}

/** Every notification recorded so far, and those shown now, oldest first, each once. */
export async function notificationsSeen(page: Page): Promise<string[]> {
  const msgs = await page
    .evaluate(() => [
      ...((window as unknown as { __lockstepNotifications?: string[] }).__lockstepNotifications ?? []),
      ...Array.from(document.querySelectorAll('.notification-list-item-message')).map((el) => (el.textContent ?? '').trim()),
    ])
    .catch(() => [] as string[]);
  return [...new Set(msgs.filter(Boolean))];
}
