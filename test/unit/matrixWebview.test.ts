// The webview's pure parts (cell labels, summary, keyboard movement) and the messages between the
// extension and the webview: discriminated unions that refuse anything malformed with a one-line reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FromWebview, GetMatrixCellParams, GitShowParams, ToWebview, describeMessageError, matrixRequests, type MatrixParticipantView, type MatrixState } from '../../src/protocol/matrixMethods';
import { cellLook, moveFocus, summaryLine, statusLabel } from '../../src/webview/matrix/gridModel';

const p = (id: string, extra: Partial<MatrixParticipantView> = {}): MatrixParticipantView => ({
  id, kind: 'task', title: id, readOnly: false, scope: [], dependsOn: [], sessions: [], leased: 0, edited: 0, branchChanged: 0, status: 'running', ...extra,
});

describe('grid model', () => {
  it('labels a cell by its strongest kind and lists every kind in its description', () => {
    const look = cellLook(p('api'), p('web'), { a: 'api', b: 'web', strongest: 'merge', count: 2, planned: 3, plannedGlobs: 1, live: 1, merge: 2 });
    assert.equal(look.text, 'M2');
    assert.deepEqual(look.kinds, ['merge', 'live', 'planned']);
    assert.equal(look.title, 'api × web: merge conflict on 2 files, live overlap on 1 file, planned overlap on 3 files. Enter lists the files.');
    const patterns = cellLook(p('a'), p('b'), { a: 'a', b: 'b', strongest: 'planned', count: 0, planned: 0, plannedGlobs: 1, live: 0, merge: 0 });
    assert.equal(patterns.text, 'P~');
    assert.deepEqual(cellLook(p('a'), p('b'), undefined), { text: '', strongest: 'none', kinds: [], title: 'a × b: no overlap' });
  });

  it('moves the focus with arrows, Home and End, clamped to the grid', () => {
    assert.deepEqual(moveFocus({ row: 0, col: 0 }, 'ArrowUp', 3), { row: 0, col: 0 });
    assert.deepEqual(moveFocus({ row: 0, col: 0 }, 'ArrowDown', 3), { row: 1, col: 0 });
    assert.deepEqual(moveFocus({ row: 1, col: 2 }, 'ArrowRight', 3), { row: 1, col: 2 });
    assert.deepEqual(moveFocus({ row: 1, col: 2 }, 'ArrowLeft', 3), { row: 1, col: 1 });
    assert.deepEqual(moveFocus({ row: 1, col: 1 }, 'End', 3), { row: 1, col: 2 });
    assert.deepEqual(moveFocus({ row: 1, col: 1 }, 'Home', 3), { row: 1, col: 0 });
    assert.equal(moveFocus({ row: 1, col: 1 }, 'x', 3), undefined);
  });

  it('summarizes the state in one line and shows statuses', () => {
    const state = {
      participants: [p('a'), p('b'), p('c'), p('vscode:me', { kind: 'session', status: undefined })],
      cells: [
        { a: 'a', b: 'b', strongest: 'merge', count: 1, planned: 0, plannedGlobs: 0, live: 0, merge: 1 },
        { a: 'a', b: 'c', strongest: 'planned', count: 1, planned: 1, plannedGlobs: 1, live: 0, merge: 0 },
        { a: 'b', b: 'c', strongest: 'planned', count: 2, planned: 2, plannedGlobs: 1, live: 0, merge: 0 },
      ],
      plannedOnly: false,
    } as unknown as MatrixState;
    assert.equal(summaryLine(state), '3 tasks, 1 session · 1 pair with merge conflict · 2 pairs with planned overlaps');
    assert.equal(statusLabel(p('x', { readOnly: true, status: 'queued' })), 'queued · read-only');
    assert.equal(statusLabel(p('vscode:me', { kind: 'session' })), 'session');
  });
});

describe('extension ↔ webview messages', () => {
  it('accepts the documented messages, titles with markup included (they are data, rendered as text)', () => {
    assert.deepEqual(FromWebview.parse({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(FromWebview.parse({ type: 'openDiff', a: 'api', b: 'web', path: 'src/a b/ü.ts' }), { type: 'openDiff', a: 'api', b: 'web', path: 'src/a b/ü.ts' });
    const n = ToWebview.parse({ type: 'notice', level: 'info', message: '<img src=x onerror=alert(1)>' });
    assert.equal(n.type === 'notice' && n.message, '<img src=x onerror=alert(1)>');
  });

  it('refuses unknown types, missing fields and paths that leave the repository', () => {
    const bad = (v: unknown) => {
      const r = FromWebview.safeParse(v);
      assert.equal(r.success, false, JSON.stringify(v));
      return describeMessageError('message', (r as unknown as { error: import('zod').ZodError }).error);
    };
    assert.match(bad({ type: 'runShell', cmd: 'rm -rf /' }), /^message: type: Invalid discriminator value/);
    assert.match(bad({ type: 'selectCell', a: 'api' }), /^message: b: Required$/);
    assert.match(bad({ type: 'openFile', path: '../../etc/passwd' }), /^message: path: must not contain "\.\.", "\." or "\.git" components$/);
    assert.match(bad({ type: 'openFile', path: '/etc/passwd' }), /^message: path: must be a repository-relative path$/);
    assert.match(bad({ type: 'openFile', path: '.git/config' }), /path: must not contain/);
    assert.equal(ToWebview.safeParse({ type: 'state', state: {} }).success, false);
  });

  it('request params: revisions that could be options are refused, a cell needs two different ids', () => {
    assert.equal(GitShowParams.safeParse({ rev: '--output=x', path: 'a' }).success, false);
    assert.equal(GitShowParams.safeParse({ rev: 'lockstep/api', path: 'src/a.ts' }).success, true);
    assert.equal(GitShowParams.safeParse({ rev: 'a..b', path: 'src/a.ts' }).success, false);
    assert.equal(GetMatrixCellParams.safeParse({ a: 'x', b: 'x' }).success, false);
    for (const spec of Object.values(matrixRequests)) assert.equal(spec.params.safeParse(spec.example).success, true, spec.method);
  });
});
