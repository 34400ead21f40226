// Messages between redisBridge.ts (the calling thread) and redisWorker.ts (the thread owning the client).
import type { MessagePort } from 'node:worker_threads';

export type ScriptName =
  | 'lockstepRead'
  | 'lockstepCommit'
  | 'lockstepAppend'
  | 'lockstepJournal'
  | 'lockstepTime'
  | 'lockstepTurn'
  | 'lockstepTurnRelease'
  // the shared memory (redisMemoryScripts.ts)
  | 'lockstepNote'
  | 'lockstepSend'
  | 'lockstepNotes'
  | 'lockstepDeliveryRead'
  | 'lockstepMailboxes'
  | 'lockstepCursor'
  | 'lockstepMemoryStamp'
  | 'lockstepWaiter'
  | 'lockstepWaiting';

export type BridgeRequest = { id: number } & (
  | { op: 'script'; script: ScriptName; keys: string[]; args: Array<string | number> }
  | { op: 'get'; key: string }
  | { op: 'info'; section: string }
  | { op: 'config-get'; parameter: string }
  /** Starts the subscriber connection (once): changes on `channel` and its state come as BridgeEvents. */
  | { op: 'subscribe'; channel: string }
);

/** Worker → caller, unrequested: a commit was published, the subscriber (re)connected (resync), or lost its connection. */
export type BridgeEvent = { kind: 'changed' } | { kind: 'up' } | { kind: 'down'; error: string };

export type BridgeResponse = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: string; unreachable: boolean });

export interface WorkerData {
  url: string;
  /** Int32 flag the worker sets to 1 (and notifies) when it posted a response. */
  flag: SharedArrayBuffer;
  port: MessagePort;
  /** Where BridgeEvents go (listened to only by long-lived callers: the coordinator). */
  events: MessagePort;
  timeoutMs: number;
}
