// Runs the extension's tests inside a downloaded VS Code desktop (Electron) with @vscode/test-electron,
// the standard harness on machines with internet. Where VS Code cannot be downloaded (these machines
// reach only the npm registry and Debian mirrors) it prints one line saying it is skipped and why, and
// exits 0: there the real-VS-Code tests run through code-server (npm run test:e2e).
//
// Usage: node test/electron/run.mjs   (env LOCKSTEP_ELECTRON_SUITE overrides the suite module path)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const VSCODE_VERSION = '1.100.3'; // the version code-server 4.100.3 serves, so both harnesses agree
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const suite = resolve(process.env.LOCKSTEP_ELECTRON_SUITE ?? join(projectRoot, 'test/electron/suite/index.js'));

const skip = (why) => {
  console.log(`test:electron skipped: ${why}`);
  process.exit(0);
};

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({
    version: VSCODE_VERSION,
    cachePath: join(projectRoot, '.vscode-test'),
    timeout: 15_000,
    reporter: { report() {}, error() {} },
  });
} catch (err) {
  const reason = String(err?.message ?? err).split('\n')[0];
  skip(`cannot download VS Code ${VSCODE_VERSION} (${reason}); on this machine run npm run test:e2e (code-server)`);
}

if (!existsSync(suite)) skip(`no test suite at ${suite}`);
if (!existsSync(join(projectRoot, 'dist/extension.js'))) skip('dist/extension.js is not built (npm run build)');
if (process.platform === 'linux' && !process.env.DISPLAY) {
  skip('no DISPLAY for VS Code desktop; run under xvfb-run -a');
}

// A real git repository for the extension to open.
const work = mkdtempSync(join(tmpdir(), 'lockstep-electron-'));
const repo = join(work, 'repo');
execFileSync('git', ['init', '-q', '-b', 'main', repo]);
let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: projectRoot,
    extensionTestsPath: suite,
    launchArgs: [repo, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(`test:electron failed: ${err?.message ?? err}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
