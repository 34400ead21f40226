// The extension-host test suite's entry (VS Code's extensionTestsPath): runs with mocha inside the
// extension host, desktop VS Code (@vscode/test-electron, test/electron/run.mjs) and code-server
// (test/e2e/exthost.e2e.test.ts) alike. LOCKSTEP_EXTHOST_SUITE picks the suite for the folder the
// host opened: `git` (a git repository) or `notGit`. With LOCKSTEP_EXTHOST_RESULTS set, the results
// are also written there as JSON, so a launcher can assert which tests ran, not only the exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface SuiteResults {
  suite: string;
  passed: string[];
  failed: { title: string; error: string }[];
  pending: string[];
}

export const SUITES = ['git', 'notGit'] as const;

export async function run(): Promise<void> {
  const suite = process.env.LOCKSTEP_EXTHOST_SUITE ?? 'git';
  if (!(SUITES as readonly string[]).includes(suite)) throw new Error(`LOCKSTEP_EXTHOST_SUITE=${suite}: expected one of ${SUITES.join(', ')}`);
  const dir = path.join(__dirname, 'suites', suite);
  // Files run in name order (01-…, 02-…): the last one deactivates the extension.
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.exthost.js')).sort();
  if (!files.length) throw new Error(`no *.exthost.js files in ${dir} (build them: node test/exthost/build.mjs)`);

  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  for (const f of files) mocha.addFile(path.join(dir, f));

  const results: SuiteResults = { suite, passed: [], failed: [], pending: [] };
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((n) => resolve(n));
      runner.on('pass', (t) => results.passed.push(t.fullTitle()));
      runner.on('pending', (t) => results.pending.push(t.fullTitle()));
      runner.on('fail', (t, err: Error) => results.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
    } catch (e) {
      reject(e);
    }
  });
  const out = process.env.LOCKSTEP_EXTHOST_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} of ${results.passed.length + failures} extension-host tests failed (suite ${suite})`);
}
