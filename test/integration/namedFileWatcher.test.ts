// The coordinator's named-file watcher sees a watched file appear even when its folder did not exist
// yet (a first .lockstep/plan.yaml), and sees changes to files that exist.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { NamedFileWatcher } from '../../src/server/namedFileWatcher';

function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => (ok() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(tick, 50));
    tick();
  });
}

test('a file whose folder is created later is seen, and so is a change to an existing file', async () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-watch-')));
  const seen: string[] = [];
  const w = new NamedFileWatcher((f) => seen.push(f));
  try {
    const plan = path.join(root, '.lockstep', 'plan.yaml');
    const existing = path.join(root, 'state.a.json');
    fs.writeFileSync(existing, '{}');
    w.set([plan, existing]);
    await new Promise((r) => setTimeout(r, 300)); // let the watches settle
    fs.mkdirSync(path.dirname(plan));
    fs.writeFileSync(plan, 'tasks: []\n');
    await until('the new plan file to be reported', () => seen.includes(plan));
    fs.writeFileSync(existing, '{"a":1}');
    await until('the existing file change to be reported', () => seen.includes(existing));
  } finally {
    await w.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
