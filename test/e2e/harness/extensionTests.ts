// Runs an extension's tests (VS Code's extensionDevelopmentPath + extensionTestsPath) in code-server's
// extension host, the way @vscode/test-electron does in desktop VS Code. code-server's CLI rejects
// those flags, but its workbench reads them from the URL's `payload` parameter; the remote extension
// host then loads the extension from that folder and calls the tests' run(). A browser has to open the
// workbench for the extension host to start. When run() settles, the workbench calls
// window.codeAutomationExit(code) (0 = passed) and forwards the host's console through
// window.codeAutomationLog, the hooks @vscode/test-web uses; both are exposed to the page here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { codeServerDirs, collectLogs, startCodeServer, type RunningCodeServer } from './codeServer';
import { assertE2eInstalled } from './paths';
import { defaultSettings } from './workbench';

export interface ExtensionTestRun {
  /** The folder the workbench opens (e.g. a temp git repository). */
  folder: string;
  /** The extension's folder (its package.json and built main). */
  extensionDevelopmentPath: string;
  /** The module whose run() runs the tests (e.g. out/exthost/index.js). */
  extensionTestsPath: string;
  /** Environment for code-server and so for the extension host and the tests. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface ExtensionTestResult {
  /** What run() ended with: 0 when it resolved, 1 when it threw; undefined when it timed out. */
  exitCode: number | undefined;
  /** The extension host's console output, in order (mocha's report among it). */
  output: string[];
  /** code-server's and the extension host's log files, for failure reports. */
  logs: string;
}

export async function runExtensionTests(run: ExtensionTestRun): Promise<ExtensionTestResult> {
  assertE2eInstalled();
  const folder = fs.realpathSync(run.folder);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-exthost-'));
  const dirs = codeServerDirs(root);
  const userDir = path.join(dirs.userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({ ...defaultSettings, ...run.settings }, null, 2));

  let codeServer: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  const output: string[] = [];
  try {
    codeServer = await startCodeServer(dirs, folder, run.env);
    browser = await launchChromium(path.join(root, 'chromium'));
    const page = await browser.newPage();
    let exited!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => output.push(format(...args)));
    await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
    // Paths on the server are vscode-remote URIs whose authority is the server's address.
    const remote = (p: string) => `vscode-remote://127.0.0.1:${codeServer!.port}${fs.realpathSync(p)}`;
    const payload = [
      ['extensionDevelopmentPath', remote(run.extensionDevelopmentPath)],
      ['extensionTestsPath', remote(run.extensionTestsPath)],
    ];
    const timeoutMs = run.timeoutMs ?? 600_000;
    await page.goto(`${codeServer.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([exit, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)))]);
    clearTimeout(timer);
    return { exitCode, output, logs: formatLogs(root, codeServer) };
  } finally {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }

  function formatLogs(_root: string, cs: RunningCodeServer): string {
    const parts = collectLogs(dirs).map((l) => `=== ${l.file} ===\n${l.text.trimEnd()}`);
    parts.push(`=== code-server output ===\n${cs.output().trimEnd()}`);
    return parts.join('\n');
  }
}
