// `node esbuild.mjs` (a one-off build, as npm run build and the tests run it) prints nothing when it
// succeeds: the "[watch]" lines are for a watching VS Code task's problem matcher only. The script runs
// in a scratch folder on one tiny entry point (it builds the entries that exist), so this test does not
// rewrite the dist/ other tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli';

test('a one-off build prints no [watch] lines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-build-'));
  try {
    fs.copyFileSync(path.join(PROJECT_ROOT, 'esbuild.mjs'), path.join(dir, 'esbuild.mjs'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'src', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'cli', 'cli.ts'), "console.log('cli');\n");
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'cli.js')), 'it built');
    assert.doesNotMatch(r.stdout + r.stderr, /\[watch\]/);
    assert.equal(r.stdout, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
