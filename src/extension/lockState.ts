// The extension's mirror of the coordinator's state: a snapshot kept current by deltas, and the
// per-file view every surface renders (badges, editor marks, status bar, tree). Renders nothing.
import * as path from 'node:path';
import { climbsOut } from '../core/pathKey';
import * as vscode from 'vscode';
import { applyDelta, type EndedSessionWork, type LeaseView, type SessionView, type Snapshot, type StateDelta, type UnleasedEdit } from '../protocol/coordinatorState';
import { foldKey } from '../repoPaths/caseFolding';

/** other/mine: held; unleased: a write that escaped the leases; ended: an ended session's uncommitted work. */
export type FileMarkKind = 'other' | 'mine' | 'unleased' | 'ended';

/** What a person should know about one file in one worktree. */
export interface FileMark {
  kind: FileMarkKind;
  key: string;
  uri: vscode.Uri;
  lease?: LeaseView;
  holder?: SessionView;
  unleased?: UnleasedEdit;
  ended?: EndedSessionWork;
  /** The session that made `ended`'s change. */
  author?: SessionView;
}

export class LockState {
  private snapshot: Snapshot | undefined;
  private marks = new Map<string, FileMark>();
  private readonly onDidChangeEmitter = new vscode.EventEmitter<{ changedUris: vscode.Uri[] }>();
  /** Fires after every applied snapshot/delta with the URIs whose mark changed. */
  readonly onDidChange = this.onDidChangeEmitter.event;

  get current(): Snapshot | undefined {
    return this.snapshot;
  }

  reset(snapshot: Snapshot | undefined): void {
    this.snapshot = snapshot;
    this.recompute();
  }

  /** Applies a delta; returns false when it does not follow (the caller re-requests a snapshot). */
  apply(delta: StateDelta): boolean {
    if (!this.snapshot) return false;
    const next = applyDelta(this.snapshot, delta);
    if (!next) return false;
    this.snapshot = next;
    this.recompute();
    return true;
  }

  /** The mark of a file URI, if any. */
  markFor(uri: vscode.Uri): FileMark | undefined {
    return this.marks.get(uri.toString());
  }

  allMarks(): FileMark[] {
    return [...this.marks.values()];
  }

  session(id: string): SessionView | undefined {
    return this.snapshot?.sessions.find((s) => s.id === id);
  }

  /** Logical key of a file URI in any worktree of the repository, or undefined. */
  keyOf(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file' || !this.snapshot) return undefined;
    const roots = [this.snapshot.repo.root, ...this.snapshot.worktrees.map((w) => w.path)];
    for (const root of roots) {
      const rel = path.relative(root, uri.fsPath);
      if (rel && !climbsOut(rel) && !path.isAbsolute(rel)) {
        const key = rel.split(path.sep).join('/');
        if (key.split('/').includes('.git')) return undefined;
        return foldKey(root, key);
      }
    }
    return undefined;
  }

  /** The lease on `key` held by a session other than the user's. */
  leaseByOther(key: string): LeaseView | undefined {
    const s = this.snapshot;
    if (!s) return undefined;
    return s.leases.find((l) => l.key === key && l.session !== s.userSession);
  }

  private recompute(): void {
    const next = new Map<string, FileMark>();
    const s = this.snapshot;
    if (s) {
      const sessions = new Map(s.sessions.map((x) => [x.id, x]));
      // Leases are logical: the same key is marked in the workspace's worktree.
      for (const lease of s.leases) {
        const uri = vscode.Uri.file(path.join(s.repo.root, ...lease.key.split('/')));
        next.set(uri.toString(), {
          kind: lease.session === s.userSession ? 'mine' : 'other',
          key: lease.key,
          uri,
          lease,
          holder: sessions.get(lease.session),
        });
      }
      for (const u of s.unleased) {
        const uri = vscode.Uri.file(path.join(u.worktree, ...u.key.split('/')));
        if (!next.has(uri.toString())) next.set(uri.toString(), { kind: 'unleased', key: u.key, uri, unleased: u });
      }
      for (const e of s.endedWork ?? []) {
        const uri = vscode.Uri.file(path.join(e.worktree, ...e.key.split('/')));
        if (!next.has(uri.toString())) next.set(uri.toString(), { kind: 'ended', key: e.key, uri, ended: e, author: sessions.get(e.session) });
      }
    }
    const changed: vscode.Uri[] = [];
    for (const [id, mark] of next) {
      const old = this.marks.get(id);
      if (!old || fingerprint(old) !== fingerprint(mark)) changed.push(mark.uri);
    }
    for (const [id, old] of this.marks) if (!next.has(id)) changed.push(old.uri);
    this.marks = next;
    this.onDidChangeEmitter.fire({ changedUris: changed });
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}

function fingerprint(m: FileMark): string {
  return JSON.stringify([m.kind, m.lease?.session, m.lease?.fence, m.lease?.expiresAt, m.lease?.task, m.holder?.task, m.unleased, m.ended]);
}
