// Where the demo and the end-to-end harness find what scripts/setup-e2e.sh installed, and where tests write artifacts.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** code-server's entry script, run with the current node (code-server 4.100.3 needs Node 20). */
export const codeServerEntry = path.join(projectRoot, '.cache/code-server/node_modules/code-server/out/node/entry.js');

export const chromiumPath = '/usr/bin/chromium';

/** Screenshots and copied logs land here; test-artifacts/ is gitignored. */
export const artifactsDir = path.join(projectRoot, 'test-artifacts/e2e');

/** Throws a one-line error naming what is missing and how to get it. */
export function assertE2eInstalled(): void {
  for (const [what, p] of [
    ['code-server', codeServerEntry],
    ['chromium', chromiumPath],
  ] as const) {
    if (!fs.existsSync(p)) throw new Error(`${what} is not installed at ${p}; run scripts/setup-e2e.sh`);
  }
}
