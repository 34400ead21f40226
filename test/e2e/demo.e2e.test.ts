// The README's first command keeps working: the live demo starts a real VS Code with Lockstep on a
// sample repository, its simulated agents contend through their hooks (one is denied), and it stops
// everything it started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from './harness';

test('the live demo comes up, an agent is denied a contended file, and it stops cleanly', { timeout: 240_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/demo.ts'), '--smoke'], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 220_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /VS Code with Lockstep is up: open http:\/\/127\.0\.0\.1:\d+\/\?folder=/);
  assert.match(out, /DENIED src\/api\/orders\.ts: src\/api\/orders\.ts is held by (claude|codex) session/);
  assert.match(out, /smoke: workbench answered 200/);
  assert.match(out, /session ended/);
});
