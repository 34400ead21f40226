// Debian's chromium driven by playwright-core (no browser download), for the demo and the end-to-end tests.
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from './paths';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches chromium with its XDG dirs under `scratchDir`, so crash reports and dconf stay out of $HOME. */
export function launchChromium(scratchDir: string): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(scratchDir, 'config'),
      XDG_CACHE_HOME: path.join(scratchDir, 'cache'),
    },
    timeout: 60_000,
  });
}
