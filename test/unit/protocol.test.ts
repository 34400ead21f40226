// The extension↔server protocol: the registry, payload schemas, one-line errors, and the
// snapshot/delta machinery (the model merge and the diff that produce them, applyDelta that
// consumes them) — checked on the pure functions, in milliseconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LeaseTableState } from '../../src/core/model';
import { coordinatorRequests, describeZodError, InitializationOptions } from '../../src/protocol/coordinatorMethods';
import { applyDelta, Snapshot, StateDelta, type SessionView } from '../../src/protocol/coordinatorState';
import { diffCollections } from '../../src/server/collectionDiff';
import { buildEditingModel, TRANSCRIPT_IDLE_MS, type ModelCollections, type WorktreeState } from '../../src/engine/editingModel';

const NOW = 1_800_000_000_000;
const WT_A = '/r/wt-a';
const WT_B = '/r/wt-b';

function storeState(): LeaseTableState {
  return LeaseTableState.parse({
    version: 1,
    fence: 3,
    sessions: {
      'claude:a': { id: 'claude:a', agent: 'claude', cwd: WT_A, worktree: WT_A, startedAt: NOW - 1000, lastSeen: NOW - 10, source: 'hook', readOnly: false },
      'codex:b': { id: 'codex:b', agent: 'codex', cwd: WT_B, worktree: WT_B, task: 'api', startedAt: NOW - 1000, lastSeen: NOW - 10, source: 'hook', readOnly: false },
      'claude:gone': {
        id: 'claude:gone', agent: 'claude', cwd: WT_B, worktree: WT_B, startedAt: NOW - 5000, lastSeen: NOW - 4000, source: 'hook', readOnly: false, endedAt: NOW - 3000, endReason: 'process ended',
      },
    },
    leases: {
      'src/a.ts': { key: 'src/a.ts', session: 'claude:a', ownerToken: 'a'.repeat(32), fence: 1, acquiredAt: NOW - 900, expiresAt: NOW + 60_000 },
      'src/api.ts': { key: 'src/api.ts', session: 'codex:b', ownerToken: 'b'.repeat(32), fence: 2, acquiredAt: NOW - 900, expiresAt: NOW + 120_000, task: 'api' },
      'src/old.ts': { key: 'src/old.ts', session: 'codex:b', ownerToken: 'c'.repeat(32), fence: 3, acquiredAt: NOW - 900, expiresAt: NOW - 1 },
    },
    reservations: {},
    edits: [{ key: 'src/a.ts', session: 'claude:a', worktree: WT_A, tool: 'Edit', at: NOW - 500, source: 'hook' }],
  });
}

const worktrees: WorktreeState[] = [
  { path: WT_A, main: false, branch: 'a', changes: [{ key: 'src/a.ts', change: 'modified' }, { key: 'src/api.ts', change: 'modified' }, { key: 'tmp.log', change: 'untracked' }] },
  { path: WT_B, main: false, branch: 'b', changes: [{ key: 'src/api.ts', change: 'modified' }] },
];

describe('protocol registry and payloads', () => {
  it('declares unique lockstep/ method names, each with an example its own schema accepts', () => {
    const methods = Object.values(coordinatorRequests).map((r) => r.type.method);
    assert.equal(new Set(methods).size, methods.length);
    for (const [name, spec] of Object.entries(coordinatorRequests)) {
      assert.match(spec.type.method, /^lockstep\/[a-z][A-Za-z]+$/, name);
      assert.ok(spec.params.safeParse(spec.example).success, `${name}: example params rejected`);
    }
  });

  it('names the bad field in one line', () => {
    const r = coordinatorRequests.claim.params.safeParse({ paths: ['ok', 42] });
    assert.equal(r.success, false);
    assert.equal(describeZodError('lockstep/claim', r.error!), 'lockstep/claim: paths.1: Expected string, received number');
    const io = InitializationOptions.safeParse({ userSessionId: 'claude:x' });
    assert.match(describeZodError('initializationOptions', io.error!), /^initializationOptions: userSessionId: must look like vscode:<name>/);
  });

  it('accepts absent params for parameterless requests', () => {
    assert.ok(coordinatorRequests.getSnapshot.params.safeParse(undefined).success);
    assert.ok(coordinatorRequests.getSnapshot.params.safeParse(null).success);
    assert.ok(coordinatorRequests.doctor.params.safeParse(undefined).success);
  });
});

describe('editing model', () => {
  const model = buildEditingModel({ now: NOW, store: storeState(), worktrees, transcriptSessions: [], transcriptEdits: [] });

  it('keeps leases in force only, without owner tokens', () => {
    assert.deepEqual(model.leases.map((l) => l.key).sort(), ['src/a.ts', 'src/api.ts']);
    assert.ok(model.leases.every((l) => !('ownerToken' in l)));
    assert.equal(model.nextTimeBoundary, NOW + 60_000);
  });

  it("attributes a changed file to the session of that worktree holding its lease; everything else is unleased", () => {
    const edit = model.edits.find((e) => e.key === 'src/a.ts' && e.session === 'claude:a')!;
    assert.deepEqual(edit.sources.sort(), ['hook', 'worktree']);
    assert.deepEqual(edit.tools, ['Edit']);
    const unleased = model.unleased.map((u) => [u.key, u.worktree, u.heldBy ?? '', u.worktreeSessions.join(',')]).sort();
    assert.deepEqual(unleased, [
      // leased by codex:b, whose worktree is wt-b: in wt-a this write conflicts with it
      ['src/api.ts', WT_A, 'codex:b', 'claude:a'],
      ['tmp.log', WT_A, '', 'claude:a'],
    ]);
    assert.ok(model.edits.some((e) => e.key === 'src/api.ts' && e.session === 'codex:b' && e.worktree === WT_B && e.sources.includes('worktree')));
    // Ended sessions are shown (with why), but are nobody's likely author.
    assert.equal(model.sessions.find((s) => s.id === 'claude:gone')?.live, false);
  });

  it('merges transcript facts into store sessions, and shows transcript-only sessions', () => {
    const m = buildEditingModel({
      now: NOW,
      store: storeState(),
      worktrees,
      transcriptSessions: [
        { id: 'claude:a', agent: 'claude', cwd: WT_A, worktree: WT_A, firstSeen: NOW - 2000, lastSeen: NOW },
        { id: 'codex:t', agent: 'codex', cwd: WT_A, worktree: WT_A, firstSeen: NOW - 2000, lastSeen: NOW - TRANSCRIPT_IDLE_MS - 1 },
      ],
      transcriptEdits: [{ session: 'codex:t', worktree: WT_A, key: 'tmp.log', tool: 'apply_patch', at: NOW - 100 }],
    });
    const a = m.sessions.find((s) => s.id === 'claude:a')!;
    assert.deepEqual(a.sources, ['hook', 'transcript']);
    assert.equal(a.lastSeen, NOW);
    const t = m.sessions.find((s) => s.id === 'codex:t')!;
    assert.deepEqual(t.sources, ['transcript']);
    assert.equal(t.live, false, 'idle transcript session');
    // Its edit explains the change: work it left uncommitted, not an escape.
    assert.equal(m.unleased.find((u) => u.key === 'tmp.log'), undefined);
    assert.deepEqual(m.endedWork.map((e) => [e.key, e.session]), [['tmp.log', 'codex:t']]);
  });
});

describe('snapshot and deltas', () => {
  const base = (c: ModelCollections, revision: number): Snapshot => ({
    epoch: 'e1',
    revision,
    at: NOW,
    repo: { commonDir: '/r/.git', root: '/r' },
    userSession: 'vscode:me',
    config: { ttlSeconds: 900, failOpen: false, scopePolicy: 'deny' },
    ...c,
  });

  it('a delta applied to the previous snapshot gives the next one; a gap or another epoch is refused', () => {
    const m1 = buildEditingModel({ now: NOW, store: storeState(), worktrees, transcriptSessions: [], transcriptEdits: [] });
    const st = storeState();
    delete st.leases['src/a.ts'];
    st.sessions['claude:a']!.endedAt = NOW;
    const m2 = buildEditingModel({ now: NOW, store: st, worktrees: [worktrees[1]!], transcriptSessions: [], transcriptEdits: [] });
    const { nextTimeBoundary: _1, ...e1 } = m1;
    const { nextTimeBoundary: _2, ...e2 } = m2;
    const hook = { id: 'claude:project:/r/.claude/settings.json', agent: 'claude' as const, scope: 'project' as const, file: '/r/.claude/settings.json', transport: 'command' as const, failsClosed: true, failure: 'fails closed', ok: true, problems: [], notes: [] };
    const c1: ModelCollections = { ...e1, hooks: [hook] };
    const c2: ModelCollections = { ...e2, hooks: [{ ...hook, ok: false, problems: ['the hook would not run Lockstep'] }] };
    const delta: StateDelta = { epoch: 'e1', revision: 5, baseRevision: 4, at: NOW, ...diffCollections(c1, c2) };
    assert.ok(StateDelta.safeParse(delta).success);
    const applied = applyDelta(base(c1, 4), delta)!;
    const sortAll = (s: Snapshot) => JSON.stringify(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort() : v])));
    assert.equal(sortAll(applied), sortAll({ ...base(c2, 5) }));
    assert.equal(applyDelta(base(c1, 3), delta), undefined);
    assert.equal(applyDelta({ ...base(c1, 4), epoch: 'e0' }, delta), undefined);
    assert.equal(diffCollections(c2, c2), undefined);
  });

  it('diff + apply reproduces any next state (property)', () => {
    const session = (id: string, live: boolean): SessionView => ({
      id, agent: 'claude', cwd: '/r', worktree: '/r', startedAt: 1, lastSeen: 2, sources: ['hook'], live, readOnly: false,
    });
    const collections = fc
      .record({
        sessions: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.boolean()), { selector: (t) => t[0] }),
        leases: fc.uniqueArray(fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.integer({ min: 1, max: 3 })), { selector: (t) => t[0] }),
      })
      .map(
        (r): ModelCollections => ({
          sessions: r.sessions.map(([id, live]) => session(`claude:${id}`, live)),
          leases: r.leases.map(([key, fence]) => ({ key, session: 'claude:a', fence, acquiredAt: 1, expiresAt: 2 })),
          worktrees: [],
          edits: [],
          unleased: [],
          endedWork: [],
          hooks: [],
        }),
      );
    fc.assert(
      fc.property(collections, collections, (a, b) => {
        const d = diffCollections(a, b);
        const next = applyDelta(base(a, 1), { epoch: 'e1', revision: 2, baseRevision: 1, at: NOW, ...d })!;
        const norm = (c: { sessions: unknown[]; leases: unknown[] }) => [c.sessions.map((x) => JSON.stringify(x)).sort(), c.leases.map((x) => JSON.stringify(x)).sort()];
        assert.deepEqual(norm(next), norm(b));
      }),
    );
  });
});
