// The client's mirror of the shared memory's state (decision log, unread counts), as the coordinator
// pushes it (`lockstep/memoryChanged`). The Decision Log and Sessions views render it.
import * as vscode from 'vscode';
import type { MemoryState } from '../protocol/memoryMethods';

export class MemoryModel implements vscode.Disposable {
  private value: MemoryState | undefined;
  private unreadBySession = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get current(): MemoryState | undefined {
    return this.value;
  }

  set(state: MemoryState | undefined): void {
    this.value = state;
    this.unreadBySession = new Map((state?.unread ?? []).map((u) => [u.session, u.count]));
    this.emitter.fire();
  }

  /** Messages waiting for the session's agent (0 when none, or not known). */
  unread(session: string): number {
    return this.unreadBySession.get(session) ?? 0;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
