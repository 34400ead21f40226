// The README's first command keeps working and shows the whole product: the live demo starts a real
// VS Code with Lockstep on a sample repository with a plan, and its smoke run checks that every step
// happened (plan started, a worktree per writer, a task waiting with its reason, a killed agent's
// lease freed, a live matrix cell, an atomic verified landing, phase 2 opened, an undo), that VS Code
// announced them, and that it stops everything it started. Screenshots: test-artifacts/demo/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { artifactsDir, projectRoot } from './harness';

test('the live demo runs the plan end to end and VS Code announces each step', { timeout: 420_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts/demo.ts'), '--smoke'], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 400_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  // Why it failed comes first: CI shows only the head of a long message.
  const why = out.split('\n').filter((l) => /FAILED|timed out|Error|error:/.test(l)).join('\n');
  assert.equal(r.status, 0, `${why || `exit ${r.status} ${r.signal ?? ''}`}\n---\n${out}`);
  assert.match(out, /VS Code with Lockstep is up: open http:\/\/127\.0\.0\.1:\d+\/\?folder=/);
  for (const step of [
    /✓ plan started: investigate, api and db are running/,
    /✓ one worktree per writer: api → \S+\/repo-worktrees\/api \(lockstep\/api\); db → \S+\/repo-worktrees\/db \(lockstep\/db\)/,
    /✓ a task waits with its reason: cart: waits for 'api': its src\/api\/\*\* overlaps src\/api\/orders\.ts/,
    /api's agent: \[claude:lockstep-api\] DENIED src\/api\/orders\.ts: src\/api\/orders\.ts is held by claude session carol/,
    /✓ a killed agent's lease is freed at once: the first `lockstep status` after the kill shows src\/api\/orders\.ts (free|held by claude:lockstep-api)/,
    /✓ a live cell in the conflict matrix: api × claude:carol went from \(empty\) to L1: src\/api\/orders\.ts; VS Code's matrix shows L1 \(was \(empty\)\)/,
    /✓ an atomic, verified landing: landed api, db, cart on main .*main [0-9a-f]{7} → [0-9a-f]{7} in one move: Land api, Land db, Land cart; the check passed\)/,
    /investigate \(read-only\) is done: it read, tried no edit and left nothing to land; cart is finished/,
    /✓ phase 2 opened: checkout is ready/,
    /✓ the last landing undone: .*\(main is [0-9a-f]{7} again\)/,
    /smoke: VS Code announced every step/,
    /smoke: workbench answered 200 and all 8 steps happened/,
  ]) assert.match(out, step);
  const shots = fs.readdirSync(path.join(path.dirname(artifactsDir), 'demo')).filter((f) => f.endsWith('.png'));
  assert.ok(shots.length >= 8 && !shots.includes('failed.png'), `a screenshot per step: ${shots.join(', ')}`);
});
