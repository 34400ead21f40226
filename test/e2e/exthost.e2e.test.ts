// The extension-host test suite (test/exthost, mocha + the vscode API) run inside code-server's real
// VS Code 1.100 extension host: once on a git repository, once on a folder that is not one. The same
// suite runs in desktop VS Code through `npm run test:electron` where VS Code can be downloaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot, runExtensionTests } from './harness';
import { makeTempRepo } from '../helpers/tempRepo';
import type { SuiteResults } from '../exthost/index';

function buildSuite(): string {
  return execFileSync(process.execPath, [path.join(projectRoot, 'test/exthost/build.mjs')], { cwd: projectRoot, encoding: 'utf8' }).trim();
}

async function runSuite(t: { diagnostic(msg: string): void }, suite: 'git' | 'notGit', folder: string, entry: string): Promise<SuiteResults> {
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-exthost-results-')), 'results.json');
  try {
    const r = await runExtensionTests({
      folder,
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: entry,
      env: { LOCKSTEP_EXTHOST_SUITE: suite, LOCKSTEP_EXTHOST_RESULTS: resultsFile },
    });
    const output = r.output.join('\n');
    if (!fs.existsSync(resultsFile)) {
      assert.fail(`the ${suite} suite wrote no results (run() ended with ${r.exitCode ?? 'a timeout'})\n--- extension host output ---\n${output}\n--- logs ---\n${r.logs}`);
    }
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
    const failures = results.failed.map((f) => `✘ ${f.title}\n${f.error}`).join('\n\n');
    assert.equal(results.failed.length, 0, `${results.failed.length} ${suite} test(s) failed in the extension host:\n${failures}\n--- extension host output ---\n${output}`);
    assert.equal(r.exitCode, 0, `the ${suite} suite's run() failed\n--- extension host output ---\n${output}`);
    t.diagnostic(`${suite} suite: ${results.passed.length} passed\n  ${results.passed.join('\n  ')}`);
    return results;
  } finally {
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
  }
}

test('the extension-host suite passes in code-server on a git repository and on a plain folder', { timeout: 900_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(projectRoot, 'dist/extension.js')), 'dist/extension.js is missing: run npm run build');
  const entry = buildSuite();
  const repo = makeTempRepo();
  const plain = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-exthost-plain-')));
  fs.writeFileSync(path.join(plain, 'notes.txt'), 'not a repository\n');
  try {
    const git = await runSuite(t, 'git', repo.root, entry);
    assert.deepEqual(git.failed, []);
    assert.deepEqual(git.pending, []);
    for (const area of ['activation in a git repository', 'file decorations and editor marks', 'settings', 'tree views', 'every contributed command', 'the coordinator process', 'the decision log and messages', 'team mode on Redis', 'deactivation']) {
      assert.ok(git.passed.some((title) => title.startsWith(area)), `no passing test of "${area}" in ${JSON.stringify(git.passed)}`);
    }

    const notGit = await runSuite(t, 'notGit', plain, entry);
    assert.deepEqual(notGit.failed, []);
    assert.ok(notGit.passed.length >= 4, `notGit suite ran ${JSON.stringify(notGit.passed)}`);
  } finally {
    repo.cleanup();
    fs.rmSync(plain, { recursive: true, force: true });
  }
});
