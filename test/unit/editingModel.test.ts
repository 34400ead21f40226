// The editing model's rules for who made an uncommitted change, and liveness applied when reading:
// pure inputs (a lease table, worktree changes with mtimes, recorded edits, shell commands, a process
// verdict), checked in milliseconds. The same rules run against real repositories in
// test/integration/editAttribution.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaseTableState, type ProcessIdentity } from '../../src/core/model';
import { buildEditingModel, type ModelInputs, type ShellRun, type WorktreeState } from '../../src/engine/editingModel';

const NOW = 1_900_000_000_000;
const WT = '/r/main';
const PROC: ProcessIdentity = { pid: 4242, startTime: 'boot:1', host: 'h' };

function state(extra: Partial<Record<'sessions' | 'leases', Record<string, unknown>>> & { edits?: unknown[] } = {}): LeaseTableState {
  return LeaseTableState.parse({
    version: 1,
    fence: 2,
    sessions: {
      'claude:h': { id: 'claude:h', agent: 'claude', cwd: WT, worktree: WT, startedAt: NOW - 9000, lastSeen: NOW - 100, source: 'hook', process: PROC },
      'human:other': { id: 'human:other', agent: 'human', cwd: WT, worktree: WT, startedAt: NOW - 9000, lastSeen: NOW - 100, source: 'cli' },
      'codex:x': { id: 'codex:x', agent: 'codex', cwd: WT, worktree: WT, startedAt: NOW - 9000, lastSeen: NOW - 100, source: 'hook' },
      ...extra.sessions,
    },
    leases: {
      'src/h.ts': { key: 'src/h.ts', session: 'claude:h', ownerToken: 'a'.repeat(32), fence: 1, acquiredAt: NOW - 5000, expiresAt: NOW + 60_000 },
      'src/f.ts': { key: 'src/f.ts', session: 'human:other', ownerToken: 'b'.repeat(32), fence: 2, acquiredAt: NOW - 5000, expiresAt: NOW + 60_000 },
      ...extra.leases,
    },
    edits: [{ key: 'src/h.ts', session: 'claude:h', worktree: WT, tool: 'Edit', at: NOW - 4000, source: 'hook' }, ...(extra.edits ?? [])],
  });
}

function model(changes: { key: string; mtimeMs?: number }[], opts: Partial<ModelInputs> = {}) {
  const worktrees: WorktreeState[] = [{ path: WT, main: true, branch: 'main', changes: changes.map((c) => ({ ...c, change: 'modified' as const })) }];
  return buildEditingModel({ now: NOW, store: state(), worktrees, transcriptSessions: [], transcriptEdits: [], ...opts });
}

const shell = (session: string, command: string, startedAt: number, endedAt: number): ShellRun => ({ session, worktree: WT, command, startedAt, endedAt, source: 'transcript' });

describe('who made an uncommitted change to a held file', () => {
  it("the holder's recorded edit explains a change made before it", () => {
    const m = model([{ key: 'src/h.ts', mtimeMs: NOW - 4001 }], { shellRuns: [shell('codex:x', 'make', NOW - 4100, NOW - 3000)] });
    assert.deepEqual(m.unleased, []);
    assert.deepEqual(m.edits.find((e) => e.key === 'src/h.ts')?.sources, ['hook', 'worktree']);
  });

  it("a change after the holder's last edit, made as another session's shell command ran, is unleased and names it", () => {
    const m = model([{ key: 'src/h.ts', mtimeMs: NOW - 2000 }], {
      shellRuns: [shell('codex:x', 'npm test', NOW - 2500, NOW - 1500), shell('codex:x', "echo x >> src/h.ts", NOW - 2100, NOW - 1900), shell('codex:x', 'ls', NOW - 1000, NOW - 900)],
    });
    assert.deepEqual(
      m.unleased.map((u) => [u.key, u.shellBy, u.shellCommand, u.notWrittenByHolder]),
      [['src/h.ts', 'codex:x', 'echo x >> src/h.ts', 'claude:h']],
      'the command naming the file is preferred',
    );
    assert.ok(!m.edits.some((e) => e.key === 'src/h.ts' && e.sources.includes('worktree')));
  });

  it("the holder's own shell command makes it the holder's edit", () => {
    const m = model([{ key: 'src/h.ts', mtimeMs: NOW - 2000 }], { shellRuns: [shell('claude:h', 'sed -i s/a/b/ src/h.ts', NOW - 2100, NOW - 1900)] });
    assert.deepEqual(m.unleased, []);
  });

  it('a change after the holder\'s last recorded edit with no shell command to explain it is unleased, author unknown', () => {
    const m = model([{ key: 'src/h.ts', mtimeMs: NOW - 2000 }], { shellRuns: [shell('codex:x', 'ls', NOW - 3000, NOW - 2900)] });
    assert.deepEqual(m.unleased.map((u) => [u.key, u.shellBy, u.notWrittenByHolder]), [['src/h.ts', undefined, 'claude:h']]);
  });

  it('a holder whose edits are not recorded (a claim by a person) is its author unless a shell command says otherwise', () => {
    assert.deepEqual(model([{ key: 'src/f.ts', mtimeMs: NOW - 2000 }]).unleased, []);
    const m = model([{ key: 'src/f.ts', mtimeMs: NOW - 2000 }], { shellRuns: [shell('claude:h', "node -e \"fs.appendFileSync('src/f.ts','x')\"", NOW - 2050, NOW - 1950)] });
    assert.deepEqual(m.unleased.map((u) => [u.key, u.shellBy, u.notWrittenByHolder]), [['src/f.ts', 'claude:h', 'human:other']]);
    // A command that finished before the write, or started after it, did not make it.
    const early = model([{ key: 'src/f.ts', mtimeMs: NOW - 2000 }], { shellRuns: [shell('claude:h', 'x', NOW - 3000, NOW - 2100), shell('claude:h', 'y', NOW - 1500, NOW - 1000)] });
    assert.deepEqual(early.unleased, []);
  });
});

describe('liveness applied when reading', () => {
  it("a dead agent's session is not live and its leases are not shown, before any store write", () => {
    const verdict = (p: ProcessIdentity) => (p.pid === PROC.pid ? { state: 'dead' as const, reason: `holder's agent process ${p.pid} ended` } : { state: 'alive' as const });
    const m = model([], { processVerdict: verdict });
    assert.deepEqual(m.leases.map((l) => l.key), ['src/f.ts']);
    const h = m.sessions.find((s) => s.id === 'claude:h')!;
    assert.equal(h.live, false);
    assert.equal(h.endReason, "holder's agent process 4242 ended");
    const alive = model([], { processVerdict: () => ({ state: 'alive' }) });
    assert.deepEqual(alive.leases.map((l) => l.key).sort(), ['src/f.ts', 'src/h.ts']);
  });
});

describe("an ended session's uncommitted work", () => {
  const ended = {
    sessions: { 'claude:e': { id: 'claude:e', agent: 'claude', cwd: WT, worktree: WT, startedAt: NOW - 9000, lastSeen: NOW - 3000, source: 'hook', endedAt: NOW - 2500, endReason: 'claude session ended (SessionEnd)' } },
    edits: [{ key: 'src/e.ts', session: 'claude:e', worktree: WT, tool: 'Write', at: NOW - 3000, source: 'hook' }],
  };
  it('is shown as its left-over work when its recorded edit explains the file', () => {
    const m = model([{ key: 'src/e.ts', mtimeMs: NOW - 3001 }], { store: state(ended) });
    assert.deepEqual(m.unleased, []);
    assert.deepEqual(
      m.endedWork.map((w) => [w.key, w.session, w.endReason, w.lastEditAt]),
      [['src/e.ts', 'claude:e', 'claude session ended (SessionEnd)', NOW - 3000]],
    );
  });
  it('is an escape once the file changed after that edit', () => {
    const m = model([{ key: 'src/e.ts', mtimeMs: NOW - 1000 }], { store: state(ended) });
    assert.deepEqual(m.endedWork, []);
    assert.deepEqual(m.unleased.map((u) => [u.key, u.editedBy]), [['src/e.ts', ['claude:e']]]);
  });
});

describe("Lockstep's own writes for the user (hook configuration from Install Agent Hooks)", () => {
  const installed = { edits: [{ key: '.claude/settings.json', session: 'human:other', worktree: WT, tool: 'lockstep', at: NOW - 2000, source: 'cli' }] };
  it("are the user's edit, not unleased, while the file is as Lockstep left it", () => {
    const m = model([{ key: '.claude/settings.json', mtimeMs: NOW - 2001 }], { store: state(installed) });
    assert.deepEqual(m.unleased, []);
    assert.deepEqual(m.edits.filter((e) => e.key === '.claude/settings.json').map((e) => e.session), ['human:other']);
  });
  it('are unleased again once the file changed after that write', () => {
    const m = model([{ key: '.claude/settings.json', mtimeMs: NOW - 500 }], { store: state(installed) });
    assert.deepEqual(m.unleased.map((u) => u.key), ['.claude/settings.json']);
  });
  it("another session's recorded edit of the file does not count as one", () => {
    const byAgent = { edits: [{ key: '.claude/settings.json', session: 'codex:x', worktree: WT, tool: 'apply_patch', at: NOW - 2000, source: 'hook' }] };
    const m = model([{ key: '.claude/settings.json', mtimeMs: NOW - 2001 }], { store: state(byAgent) });
    assert.deepEqual(m.unleased.map((u) => u.key), ['.claude/settings.json']);
  });
});
