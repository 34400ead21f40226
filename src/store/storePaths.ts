// Where the embedded store keeps its files: `<git common dir>/lockstep/`, shared by every worktree.
import * as path from 'node:path';

export interface StorePaths {
  dir: string;
  /** The lease table's two slot files, written alternately (see stateFile.ts). */
  slots: readonly [string, string];
  /** Where builds before the slots kept the table; read only when no slot exists. */
  legacy: string;
  /** Append-only JournalEntry lines. */
  journal: string;
  /** The previous journal generation (after rotation). */
  journalRotated: string;
  /** StoreConfig, written by the extension/CLI, read by hooks. */
  config: string;
  /** The transaction lock (see fileLock.ts). */
  lock: string;
  /** The decision log, messages and per-session cursors (see embeddedMemory.ts), under their own lock. */
  memory: MemoryPaths;
}

export interface MemoryPaths {
  notes: string;
  notesRotated: string;
  messages: string;
  messagesRotated: string;
  /** One file per session: how far it has read the notes and messages. */
  cursors: string;
  /** One file per idle session whose agent can be woken (wakeMarkers.ts). */
  wake: string;
  lock: string;
}

export function storePaths(commonDir: string): StorePaths {
  const dir = path.join(commonDir, 'lockstep');
  return {
    dir,
    slots: [path.join(dir, 'state.a.json'), path.join(dir, 'state.b.json')],
    legacy: path.join(dir, 'state.json'),
    journal: path.join(dir, 'journal.jsonl'),
    journalRotated: path.join(dir, 'journal.1.jsonl'),
    config: path.join(dir, 'config.json'),
    lock: path.join(dir, 'lock'),
    memory: {
      notes: path.join(dir, 'notes.jsonl'),
      notesRotated: path.join(dir, 'notes.1.jsonl'),
      messages: path.join(dir, 'messages.jsonl'),
      messagesRotated: path.join(dir, 'messages.1.jsonl'),
      cursors: path.join(dir, 'cursors'),
      wake: path.join(dir, 'wake'),
      lock: path.join(dir, 'memory.lock'),
    },
  };
}
