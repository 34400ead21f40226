// The store recovers what a damaged newest slot or a kill -9 mid-transaction would lose: real CLI
// processes on a real repository, real damage to the slot files, a real SIGKILL between a commit
// and its journal append.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { storePaths } from '../../src/store/storePaths';

let repo: TempRepo;
beforeEach(() => {
  ensureBuilt();
  repo = makeTempRepo({ files: { 'one.ts': '1\n', 'two.ts': '2\n', 'f.ts': 'f\n', 'g.ts': 'g\n', 'h.ts': 'h\n' } });
});
afterEach(() => repo.cleanup());

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd: repo.root, env: { LOCKSTEP_SESSION: '', LOCKSTEP_STORE_FAULT: '', ...env } });
}

function journal(): Array<{ op: string; key?: string; session?: string; fence?: number }> {
  const r = cli(['journal', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Flips one byte in the middle of the slot holding the newest commit (its seal no longer matches). */
function damageNewestSlot(): void {
  const slots = storePaths(path.join(repo.root, '.git')).slots;
  const seqOf = (f: string) => Number(/"seq":(\d+),"seal"/.exec(fs.readFileSync(f, 'utf8'))?.[1] ?? -1);
  const newest = seqOf(slots[0]) > seqOf(slots[1]) ? slots[0] : slots[1];
  const bytes = fs.readFileSync(newest);
  const at = Math.floor(bytes.length / 3);
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  fs.writeFileSync(newest, bytes);
}

test('a damaged newest slot does not hand its lease to a second session: the grant is rebuilt from the journal', () => {
  for (const f of ['one.ts', 'two.ts']) assert.equal(cli(['claim', f, '--session', 'human:setup']).status, 0);
  assert.equal(cli(['claim', 'f.ts', '--session', 'human:alice']).status, 0);
  damageNewestSlot();

  const bob = cli(['claim', 'f.ts', '--session', 'human:bob']);
  assert.equal(bob.status, 3, `bob must be denied: ${bob.stdout}${bob.stderr}`);
  assert.match(bob.stderr, /f\.ts is held by the user \(human:alice\)/);
  assert.ok(journal().some((e) => e.op === 'recover' && e.key === 'f.ts' && e.session === 'human:alice'));
});

test('doctor reports a damaged newest slot and rebuilds its lost grants', () => {
  for (const f of ['one.ts', 'two.ts']) assert.equal(cli(['claim', f, '--session', 'human:setup']).status, 0);
  assert.equal(cli(['claim', 'f.ts', '--session', 'human:alice']).status, 0);
  damageNewestSlot();
  const doc = cli(['doctor']);
  assert.match(doc.stdout + doc.stderr, /newest lease-table slot is damaged/);
  assert.match(doc.stdout + doc.stderr, /1 lease\(s\) of the lost commit rebuilt from the journal/);
  const st = JSON.parse(cli(['status', '--json']).stdout);
  assert.equal(st.leases.find((l: { key: string }) => l.key === 'f.ts')?.session, 'human:alice');
  const again = cli(['doctor']);
  assert.doesNotMatch(again.stdout, /damaged/);
});

test('kill -9 between a commit and its journal append: the next transaction appends the lost grant', () => {
  assert.equal(cli(['claim', 'one.ts', '--session', 'human:setup']).status, 0);
  const killed = cli(['claim', 'g.ts', '--session', 'human:alice'], { LOCKSTEP_STORE_FAULT: 'after-commit' });
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(JSON.parse(cli(['status', '--json']).stdout).leases.find((l: { key: string }) => l.key === 'g.ts')?.session, 'human:alice', 'the commit happened');
  assert.ok(!journal().some((e) => e.op === 'grant' && e.key === 'g.ts'), 'its journal line was not appended');

  assert.equal(cli(['claim', 'h.ts', '--session', 'human:bob']).status, 0);
  const grants = journal().filter((e) => e.op === 'grant' && e.key === 'g.ts');
  assert.equal(grants.length, 1, 'appended once');
  assert.equal(grants[0]!.session, 'human:alice');
  assert.equal(cli(['claim', 'one.ts', '--session', 'human:setup']).status, 0);
  assert.equal(journal().filter((e) => e.op === 'grant' && e.key === 'g.ts').length, 1, 'never twice');
});
