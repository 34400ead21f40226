// The tests drive chromium the same way the demo does (scripts/support/browser.ts).
export * from '../../../scripts/support/browser';
