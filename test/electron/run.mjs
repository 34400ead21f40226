// Runs the extension-host test suite (test/exthost, mocha + the vscode API) inside a downloaded VS Code
// desktop (Electron) with @vscode/test-electron, the standard harness on machines with internet: once on
// a git repository, once on a folder that is not one. The same suite runs in code-server's extension
// host in `npm test` (test/e2e/exthost.e2e.test.ts). Where VS Code cannot be downloaded (machines that
// reach only the npm registry and Debian mirrors) it prints one line saying it is skipped and why, and
// exits 0. On Linux without a display run it under `xvfb-run -a npm run test:electron`.
//
// Usage: node test/electron/run.mjs   (env LOCKSTEP_ELECTRON_SUITE overrides the suite module path)
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildSuite } from '../exthost/build.mjs';

const VSCODE_VERSION = '1.100.3'; // the version code-server 4.100.3 serves, so both harnesses agree
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

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
  skip(`cannot download VS Code ${VSCODE_VERSION} (${reason}); on this machine npm test runs the same suite in code-server`);
}

if (!existsSync(join(projectRoot, 'dist/extension.js'))) skip('dist/extension.js is not built (npm run build)');
if (process.platform === 'linux' && !process.env.DISPLAY) {
  skip('no DISPLAY for VS Code desktop; run under xvfb-run -a');
}
const suite = process.env.LOCKSTEP_ELECTRON_SUITE ? resolve(process.env.LOCKSTEP_ELECTRON_SUITE) : await buildSuite();

// A real git repository (with a commit and files the suite uses) and a folder that is not one.
const work = realpathSync(mkdtempSync(join(tmpdir(), 'lockstep-electron-')));
const repo = join(work, 'repo');
const plain = join(work, 'plain');
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
execFileSync('git', ['init', '-q', '-b', 'main', repo]);
git('config', 'user.name', 'Test');
git('config', 'user.email', 't@example.com');
execFileSync('mkdir', ['-p', join(repo, 'src'), plain]);
writeFileSync(join(repo, 'README.md'), '# sample\n');
writeFileSync(join(repo, 'src/a.ts'), 'export const a = 1;\n');
writeFileSync(join(repo, 'src/b.ts'), 'export const b = 2;\n');
writeFileSync(join(plain, 'notes.txt'), 'not a repository\n');
git('add', '-A');
git('commit', '-q', '-m', 'initial');

let code = 1;
try {
  for (const [name, folder] of [['git', repo], ['notGit', plain]]) {
    code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: suite,
      extensionTestsEnv: { LOCKSTEP_EXTHOST_SUITE: name },
      launchArgs: [folder, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust', '--user-data-dir', join(work, `user-${name}`)],
    });
    if (code !== 0) break;
  }
} catch (err) {
  console.error(`test:electron failed: ${err?.message ?? err}`);
  code = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
