// Who the matrix compares and when a merge simulation can be skipped: pure functions over the
// coordinator's collections and the files each branch changed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlan } from '../../src/core/planFile';
import type { TaskRuntime } from '../../src/core/task';
import type { EditView, LeaseView, SessionView, UnleasedEdit } from '../../src/protocol/coordinatorState';
import { mayConflict } from '../../src/git/matrixGit';
import { deriveParticipants, mergeCandidates } from '../../src/engine/matrixParticipants';

const plan = parsePlan(`tasks:
  - {id: api, title: API, prompt: p, scope: ["src/**"]}
  - {id: web, title: Web, prompt: p, scope: ["web/**"], dependsOn: [api]}
  - {id: survey, title: Survey, prompt: p, readOnly: true}
`);

const session = (id: string, extra: Partial<SessionView> = {}): SessionView => ({
  id, agent: id.split(':')[0] as SessionView['agent'], cwd: '/r', worktree: '/r', startedAt: 1, lastSeen: 1, sources: ['hook'], live: true, readOnly: false, ...extra,
});
const lease = (key: string, s: string, task?: string): LeaseView => ({ key, session: s, fence: 1, acquiredAt: 1, expiresAt: 9e15, ...(task ? { task } : {}) });
const edit = (key: string, s: string, worktree: string): EditView => ({ id: JSON.stringify([s, worktree, key]), key, session: s, worktree, sources: ['hook'], tools: [], at: 1 });
const unleased = (key: string, worktree: string, editedBy: string[] = []): UnleasedEdit => ({ id: JSON.stringify([worktree, key]), key, worktree, change: 'modified', worktreeSessions: [], editedBy });

describe('deriveParticipants', () => {
  const runtime: Record<string, TaskRuntime> = {
    api: { id: 'api', state: { status: 'running' }, branch: 'lockstep/api', worktree: '/wt/api', sessions: ['claude:a1'] },
  };
  const editing = {
    sessions: [
      session('claude:a1', { worktree: '/wt/api', task: 'api' }),
      session('codex:w1', { task: 'web' }),
      session('vscode:me'),
      session('claude:idle'),
      session('gemini:gone', { live: false }),
      session('cursor:x'),
    ],
    leases: [lease('src/a.ts', 'claude:a1', 'api'), lease('web/x.ts', 'codex:w1'), lease('README.md', 'vscode:me'), lease('old.ts', 'gemini:gone')],
    edits: [edit('src/b.ts', 'claude:a1', '/wt/api'), edit('src/c.ts', 'other:1', '/wt/api'), edit('lib/z.ts', 'cursor:x', '/r')],
    unleased: [unleased('src/d.ts', '/wt/api'), unleased('misc.txt', '/r', ['cursor:x'])],
  };
  const branches = new Map([['api', { branch: 'lockstep/api', tip: 'abc', files: ['src/z.ts', 'src/a.ts'] }]]);

  it('tasks in plan order with their sessions, leases, edits, uncommitted changes and branch; then live sessions with something', () => {
    const ps = deriveParticipants({ plan, runtime, editing, branches });
    assert.deepEqual(ps.map((p) => p.model.id), ['api', 'web', 'survey', 'cursor:x', 'vscode:me']);
    const [api, web, survey, cursor, me] = ps.map((p) => p.model);
    assert.deepEqual(api, { id: 'api', kind: 'task', scope: ['src/**'], readOnly: false, status: 'running', leased: ['src/a.ts'], edited: ['src/b.ts', 'src/c.ts', 'src/d.ts'], branch: ['src/a.ts', 'src/z.ts'] });
    assert.deepEqual([web!.status, web!.leased], ['queued', ['web/x.ts']], 'a session naming its task counts for it');
    assert.equal(survey!.readOnly, true);
    assert.deepEqual([cursor!.kind, cursor!.leased, cursor!.edited], ['session', [], ['lib/z.ts', 'misc.txt']]);
    assert.deepEqual(me!.leased, ['README.md']);
    const view = ps[0]!.view;
    assert.deepEqual([view.title, view.branch, view.tip, view.worktree, view.sessions, view.leased, view.edited, view.branchChanged], ['API', 'lockstep/api', 'abc', '/wt/api', ['claude:a1'], 1, 3, 2]);
    assert.deepEqual(ps[1]!.view.dependsOn, ['api']);
  });

  it("an ended session counts while its edits are uncommitted in its worktree, and not after they were committed", () => {
    const dead = session('claude:carol', { live: false, worktree: '/wt/carol', endReason: "holder's agent process 9 ended" });
    // The editing model reports an ended session's uncommitted edits as its left-over work (endedWork).
    const leftOver = { id: JSON.stringify(['/wt/carol', 'src/a.ts']), key: 'src/a.ts', worktree: '/wt/carol', change: 'modified' as const, session: 'claude:carol', lastEditAt: 1 };
    const withWork = { ...editing, sessions: [...editing.sessions, dead], edits: [...editing.edits, edit('src/a.ts', 'claude:carol', '/wt/carol')], endedWork: [leftOver] };
    const ps = deriveParticipants({ plan, runtime, editing: withWork, branches });
    const carol = ps.find((p) => p.model.id === 'claude:carol');
    assert.deepEqual(carol?.model.edited, ['src/a.ts']);
    assert.equal(carol?.view.title, 'claude:carol (ended, left uncommitted edits)');
    const committed = { ...withWork, endedWork: [] };
    assert.equal(deriveParticipants({ plan, runtime, editing: committed, branches }).some((p) => p.model.id === 'claude:carol'), false);
  });

  it("a session whose only edits are files Lockstep wrote for it (the plan, hook configuration) is not compared; its own edits are", () => {
    const lockstepWrite = (key: string, s: string): EditView => ({ ...edit(key, s, '/r'), sources: ['cli'], tools: ['lockstep'] });
    const withWrites = { ...editing, edits: [...editing.edits, lockstepWrite('.lockstep/plan.yaml', 'claude:idle'), lockstepWrite('.claude/settings.json', 'cursor:x')] };
    const ps = deriveParticipants({ plan, runtime, editing: withWrites, branches });
    assert.equal(ps.some((p) => p.model.id === 'claude:idle'), false, 'a plan Lockstep wrote made its session a matrix row');
    assert.deepEqual(ps.find((p) => p.model.id === 'cursor:x')?.model.edited, ['lib/z.ts', 'misc.txt']);
    // The plan changed by hand is unleased, listed under every live session of the checkout: still no row for it.
    const handEdited = { ...withWrites, unleased: [...withWrites.unleased, unleased('.lockstep/plan.yaml', '/r', ['claude:idle', 'cursor:x'])] };
    const again = deriveParticipants({ plan, runtime, editing: handEdited, branches });
    assert.equal(again.some((p) => p.model.id === 'claude:idle'), false, "a hand edit of Lockstep's plan made a session a matrix row");
    assert.deepEqual(again.find((p) => p.model.id === 'cursor:x')?.model.edited, ['lib/z.ts', 'misc.txt']);
  });

  it('planned only: tasks and scopes, nothing live', () => {
    const ps = deriveParticipants({ plan, runtime, editing, branches, plannedOnly: true });
    assert.deepEqual(ps.map((p) => [p.model.id, p.model.leased, p.model.edited, p.model.branch]), [
      ['api', [], [], []],
      ['web', [], [], []],
      ['survey', [], [], []],
    ]);
  });

  it('merge candidates: write tasks not landed', () => {
    assert.deepEqual(mergeCandidates(plan, { web: { id: 'web', state: { status: 'landed' }, sessions: [] } }), ['api']);
  });
});

describe('mayConflict', () => {
  const c = (files: string[], forkPoint = 'f') => ({ forkPoint, files });
  it('is false only for unrelated paths from the same fork point', () => {
    assert.equal(mayConflict(c(['src/a.ts']), c(['docs/b.md'])), false);
    assert.equal(mayConflict(c([]), c(['docs/b.md'])), false);
    assert.equal(mayConflict(c(['src/a.ts']), c(['src/a.ts'])), true, 'same path');
    assert.equal(mayConflict(c(['src/a.ts']), c(['src/b.ts'])), true, 'same folder: directory renames, adds beside deletes');
    assert.equal(mayConflict(c(['foo']), c(['foo/bar.ts'])), true, 'a file on one side is a folder on the other');
    assert.equal(mayConflict(c(['x/foo/bar/baz.ts']), c(['x/foo'])), true);
    assert.equal(mayConflict(c(['src/a.ts'], 'f1'), c(['docs/b.md'], 'f2')), true, 'different fork points: git decides');
  });
});
