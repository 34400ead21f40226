// The coordinator server under stress and after failures: restarted mid-way (it recovers the full
// picture from the store and the files, including what happened while it was down), a worktree
// deleted under its watcher, new worktrees, and a branch checkout changing 3,000 files at once.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';

const BULK = 3000;

function preEdit(sessionId: string, cwd: string, file: string): string {
  return JSON.stringify({
    session_id: sessionId,
    transcript_path: path.join(os.tmpdir(), `${sessionId}.jsonl`),
    cwd,
    permission_mode: 'acceptEdits',
    hook_event_name: 'PreToolUse',
    tool_name: 'Write',
    tool_input: { file_path: file, content: 'x' },
    tool_use_id: 'toolu_1',
  });
}

describe('coordinator server: recovery and load', () => {
  let repo: TempRepo;
  let wtA: string;
  let wtB: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let server: ServerHandle | undefined;
  let agent: ChildProcess;

  const hook = (sessionId: string, cwd: string, file: string) => {
    const r = runCli(['hook'], { cwd, input: preEdit(sessionId, cwd, file), env: { ...env, LOCKSTEP_AGENT_PID: String(agent.pid) } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('"deny"'), r.stdout);
  };

  before(async () => {
    ensureBuilt();
    repo = makeTempRepo({ files: { 'README.md': '# r\n', 'src/a.ts': 'a\n' }, prefix: 'lockstep-rec-' });
    // Two branches with 3,000 files that all differ between them, made with fast-import from two
    // blobs (this machine's disk makes thousands of loose objects slow); only wt-a checks them out.
    const main = repo.git('rev-parse', 'HEAD');
    let stream = 'blob\nmark :1\ndata 3\nv1\n\nblob\nmark :2\ndata 3\nv2\n\n';
    for (const [branch, mark, from] of [['bulk-v1', 1, main], ['bulk-v2', 2, 'refs/heads/bulk-v1']] as const) {
      stream += `commit refs/heads/${branch}\ncommitter Test <t@example.com> 1700000000 +0000\ndata 4\nbulk\nfrom ${from}\n`;
      for (let i = 0; i < BULK; i++) stream += `M 100644 :${mark} bulk/d${i % 30}/f${i}.txt\n`;
      stream += '\n';
    }
    execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.root, input: stream });
    wtA = path.join(path.dirname(repo.root), 'wt-a');
    repo.git('worktree', 'add', '-q', '-b', 'task-a', wtA, 'bulk-v1');
    wtB = repo.addWorktree('wt-b', 'task-b');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
    env = { CLAUDE_CONFIG_DIR: path.join(home, 'claude'), CODEX_HOME: path.join(home, 'codex'), HOME: home };
    agent = spawn('sleep', ['600'], { stdio: 'ignore' });
    server = await startServer({ root: repo.root, env });
    await server.waitFor('three worktrees', (s) => s.worktrees.length === 3);
  });

  after(async () => {
    await server?.stop();
    agent?.kill('SIGKILL');
    repo?.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a restarted server recovers the full picture, including what happened while it was down', async () => {
    hook('rec-1', wtA, path.join(wtA, 'src/a.ts'));
    fs.writeFileSync(path.join(wtA, 'src/a.ts'), 'agent edit\n');
    fs.writeFileSync(path.join(wtB, 'README.md'), 'shell edit\n');
    const before = await server!.waitFor('lease, attributed edit and unleased edit', (s) =>
      s.leases.some((l) => l.key === 'src/a.ts') &&
      s.edits.some((e) => e.key === 'src/a.ts' && e.session === 'claude:rec-1' && e.worktree === wtA) &&
      s.unleased.some((u) => u.key === 'README.md' && u.worktree === wtB),
    );
    await server!.stop();

    // While no server runs: another session leases a file, and the shell writes another.
    hook('rec-2', wtB, path.join(wtB, 'src/b-new.ts'));
    fs.writeFileSync(path.join(wtA, 'notes.txt'), 'written while the server was down\n');

    server = await startServer({ root: repo.root, env });
    const s = await server.waitFor('the picture plus what happened meanwhile', (x) =>
      x.leases.some((l) => l.key === 'src/b-new.ts' && l.session === 'claude:rec-2') && x.unleased.some((u) => u.key === 'notes.txt' && u.worktree === wtA),
    );
    for (const l of before.leases) assert.ok(s.leases.some((x) => x.key === l.key && x.session === l.session && x.fence === l.fence), `lease ${l.key} recovered`);
    for (const u of before.unleased) assert.ok(s.unleased.some((x) => x.id === u.id), `unleased ${u.key} recovered`);
    for (const e of before.edits) assert.ok(s.edits.some((x) => x.id === e.id), `edit ${e.key} recovered`);
    assert.deepEqual(
      s.sessions.filter((x) => x.live).map((x) => x.id).sort(),
      ['claude:rec-1', 'claude:rec-2'],
    );
  });

  it('a checkout changing 3,000 files, then 3,000 uncommitted files, without falling over', async () => {
    const revBefore = server!.state()!.revision;
    fs.rmSync(path.join(wtA, 'notes.txt'));
    repo.git('-C', wtA, 'commit', '-q', '-am', 'agent edit');
    repo.git('-C', wtA, 'checkout', '-q', 'bulk-v2');
    await server!.waitFor('wt-a clean on bulk-v2', (s) => s.worktrees.some((w) => w.path === wtA && w.branch === 'bulk-v2' && w.changedFiles === 0), 30_000);
    assert.ok(server!.state()!.revision > revBefore);

    for (let i = 0; i < BULK; i++) fs.writeFileSync(path.join(wtA, `bulk/d${i % 30}/f${i}.txt`), `uncommitted ${i}\n`);
    const s = await server!.waitFor('3,000 unleased edits in wt-a', (x) => x.unleased.filter((u) => u.worktree === wtA && u.key.startsWith('bulk/') && u.change === 'modified').length === BULK, 30_000);
    const others = s.unleased.filter((u) => u.worktree === wtA && !u.key.startsWith('bulk/')).map((u) => `${u.key} ${u.change}`);
    assert.equal(s.worktrees.find((w) => w.path === wtA)?.changedFiles, BULK + others.length, others.join(', '));
    assert.deepEqual(others, []);
    // Still answering, and a fresh snapshot agrees with the client's copy built from deltas.
    const fresh = await server!.request('getSnapshot', {});
    assert.equal(fresh.unleased.length, server!.state()!.unleased.length);
    assert.equal(server!.resyncs, 0, 'no revision gap');
  });

  it('drops a worktree deleted under the watcher, and picks up new worktrees', async () => {
    fs.rmSync(wtB, { recursive: true, force: true });
    await server!.waitFor('wt-b gone', (s) => !s.worktrees.some((w) => w.path === wtB) && !s.unleased.some((u) => u.worktree === wtB));
    const status = await server!.request('getStatusText', {});
    assert.match(status.text, /^Lockstep: /);

    const wtC = repo.addWorktree('wt-c', 'task-c');
    await server!.waitFor('wt-c tracked', (s) => s.worktrees.some((w) => w.path === wtC && w.branch === 'task-c'));
    fs.writeFileSync(path.join(wtC, 'src', 'a.ts'), 'changed in c\n');
    await server!.waitFor('unleased edit in wt-c', (s) => s.unleased.some((u) => u.key === 'src/a.ts' && u.worktree === wtC));

    repo.git('worktree', 'remove', '--force', wtC);
    await server!.waitFor('wt-c removed', (s) => !s.worktrees.some((w) => w.path === wtC));
    assert.equal(server!.proc.exitCode, null, 'server still running');
  });
});
