// `lockstep log --follow` as a real process: it prints the log so far, then each note other processes
// write, in order and once (with --task, only that task's; with --json, one note per line), and
// Ctrl-C (SIGINT) stops it cleanly: whole lines, nothing on stderr, exit status 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as os from 'node:os';
import { after, before, test } from 'node:test';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
before(() => {
  ensureBuilt();
  repo = makeTempRepo();
});
after(() => repo.cleanup());

const ENV = { ...process.env, LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' };
const me = `human:${os.userInfo().username}`;

/** A follower and everything it printed so far. */
function follow(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'log', '--follow', ...args], { cwd: repo.root, env: ENV }) as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = () => out.stdout.split('\n').filter(Boolean);
  const until = async (what: string, pred: () => boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; printed:\n${out.stdout}${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out, exited, lines, until };
}

test('log --follow prints the notes other processes write, in order and once, and stops cleanly on SIGINT', async () => {
  assert.equal(runCli(['note', 'Before the follower: dates are ISO 8601', '--task', 'api'], { cwd: repo.root, env: ENV }).status, 0);
  const all = follow([]);
  const api = follow(['--task', 'api', '--json']);
  try {
    await all.until('the note written before it started', () => all.lines().length === 1);
    await api.until('the api note written before it started', () => api.lines().length === 1);
    // Another process writes 12 notes, one after another, while both follow; two tasks in turn.
    const writer = spawn('/bin/sh', ['-c', `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do if [ $((i % 2)) -eq 0 ]; then t=api; else t=ui; fi; "$0" "$1" note "Decision $i" --task $t || exit 1; done`, process.execPath, CLI], { cwd: repo.root, env: ENV, stdio: 'ignore' });
    const wrote = await new Promise<number | null>((resolve) => writer.on('exit', resolve));
    assert.equal(wrote, 0, 'the writer wrote every note');
    await all.until('all 13 notes', () => all.lines().length >= 13);
    await api.until('the 7 api notes', () => api.lines().length >= 7);
    await new Promise((r) => setTimeout(r, 700)); // two more polls: nothing printed twice
    assert.deepEqual(
      all.lines().map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}/, '')),
      [`#1 ${me} (task api): Before the follower: dates are ISO 8601`, ...Array.from({ length: 12 }, (_, i) => `#${i + 2} ${me} (task ${(i + 1) % 2 === 0 ? 'api' : 'ui'}): Decision ${i + 1}`)],
    );
    const notes = api.lines().map((l) => JSON.parse(l) as { n: number; task: string; text: string });
    assert.deepEqual(notes.map((n) => [n.n, n.task, n.text]), [[1, 'api', 'Before the follower: dates are ISO 8601'], ...[2, 4, 6, 8, 10, 12].map((i) => [i + 1, 'api', `Decision ${i}`])]);

    all.child.kill('SIGINT');
    api.child.kill('SIGINT');
    assert.deepEqual(await all.exited, { code: 0, signal: null });
    assert.deepEqual(await api.exited, { code: 0, signal: null });
    assert.equal(all.out.stderr + api.out.stderr, '', 'nothing on stderr');
    assert.ok(all.out.stdout.endsWith('\n') && api.out.stdout.endsWith('\n'), 'whole lines only');
  } finally {
    all.child.kill('SIGKILL');
    api.child.kill('SIGKILL');
  }
});
