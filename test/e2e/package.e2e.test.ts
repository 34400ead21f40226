// `npm run package` ships exactly the bundles (mcp.js included: `lockstep mcp` loads it), media, README, the plan format (docs/plan.md), LICENSE and package.json: nothing a
// development build left in dist/ (source maps), no sources, no tests. test-e2e.sh packages first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from './harness';

test('the .vsix holds exactly the files users need', () => {
  const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');
  const entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' })
    .split('\n')
    .filter((e) => e.startsWith('extension/') && !e.endsWith('/'))
    .map((e) => e.slice('extension/'.length))
    .sort();
  assert.deepEqual(entries, [
    'LICENSE.txt',
    'dist/cli.js',
    'dist/commands.js',
    'dist/extension.js',
    'dist/hook.js',
    'dist/mcp.js',
    'dist/server.js',
    'dist/webview/matrix.js',
    'docs/plan.md',
    'media/lockstep.svg',
    'media/matrix.css',
    'media/walkthrough/claim.md',
    'media/walkthrough/hooks.md',
    'media/walkthrough/land.md',
    'media/walkthrough/matrix.md',
    'media/walkthrough/plan.md',
    'media/walkthrough/session.md',
    'media/walkthrough/start.md',
    'package.json',
    'readme.md',
  ]);
});

test('every bundle dist/cli.js loads is in the .vsix', () => {
  const vsix = process.env.LOCKSTEP_E2E_VSIX ?? path.join(projectRoot, 'dist/lockstep.vsix');
  const entries = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n');
  const cli = execFileSync('unzip', ['-p', vsix, 'extension/dist/cli.js'], { encoding: 'utf8' });
  const loaded = [...new Set([...cli.matchAll(/["'](?:\.\/)?([a-z]+\.js)["']/g)].map((m) => m[1]!))];
  assert.ok(loaded.includes('hook.js') && loaded.includes('mcp.js'), `cli.js names ${loaded.join(', ')}`);
  assert.deepEqual(loaded.filter((f) => !entries.includes(`extension/dist/${f}`)), []);
});
