// Runs the real coordinator server (node dist/server.js --stdio, or `lockstep serve --stdio`) and
// talks to it over vscode-jsonrpc like the extension does: initialize, then keep a local copy of
// the state from `lockstep/snapshot` + `lockstep/stateChanged` (re-requesting on a gap).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  coordinatorRequests,
  snapshotNotification,
  stateChangedNotification,
  type CoordinatorRequestName,
  type InitializeInfo,
  type RequestParams,
  type RequestResult,
} from '../../src/protocol/coordinatorMethods';
import { applyDelta, Snapshot, StateDelta } from '../../src/protocol/coordinatorState';
import { CLI, PROJECT_ROOT } from '../helpers/cli';

export const SERVER_JS = path.join(PROJECT_ROOT, 'dist', 'server.js');

export interface ServerHandle {
  proc: ChildProcess;
  conn: MessageConnection;
  info: InitializeInfo;
  /** The client's copy of the state (undefined before the first snapshot). */
  state(): Snapshot | undefined;
  /** How many times a gap forced a snapshot re-request. */
  resyncs: number;
  deltas: StateDelta[];
  diagnostics: Map<string, { message: string }[]>;
  stderr: string[];
  request<K extends CoordinatorRequestName>(name: K, params: RequestParams<K> | Record<string, unknown> | undefined): Promise<RequestResult<K>>;
  /** Resolves with the first state satisfying `pred`; rejects after `timeoutMs` naming `what`. */
  waitFor(what: string, pred: (s: Snapshot) => boolean, timeoutMs?: number): Promise<Snapshot>;
  stop(): Promise<void>;
}

export interface StartOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
  initializationOptions?: Record<string, unknown>;
  /** Start through the CLI dispatcher (`lockstep serve --stdio`) instead of dist/server.js. */
  viaCli?: boolean;
  /** Another build's server bundle (benchmarks compare builds). */
  serverJs?: string;
}

export async function startServer(opts: StartOptions): Promise<ServerHandle> {
  const args = opts.viaCli ? [CLI, 'serve', '--stdio'] : [opts.serverJs ?? SERVER_JS, '--stdio'];
  const proc = spawn(process.execPath, args, { cwd: opts.root, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  let state: Snapshot | undefined;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of [...listeners]) l();
  };
  const deltas: StateDelta[] = [];
  const diagnostics = new Map<string, { message: string }[]>();
  const handle: ServerHandle = {
    proc,
    conn,
    info: undefined as unknown as InitializeInfo,
    state: () => state,
    resyncs: 0,
    deltas,
    diagnostics,
    stderr,
    request: (name, params) => conn.sendRequest(coordinatorRequests[name].type.method, params) as Promise<never>,
    waitFor(what, pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (state && pred(state)) {
            cleanup();
            resolve(state);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; state: ${JSON.stringify(summary(state))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        void conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      conn.dispose();
    },
  };
  const resync = async () => {
    handle.resyncs++;
    state = Snapshot.parse(await conn.sendRequest(coordinatorRequests.getSnapshot.type.method, {}));
    changed();
  };
  conn.onNotification(snapshotNotification.method, (raw: unknown) => {
    state = Snapshot.parse(raw);
    changed();
  });
  conn.onNotification(stateChangedNotification.method, (raw: unknown) => {
    const delta = StateDelta.parse(raw);
    deltas.push(delta);
    const next = state && applyDelta(state, delta);
    if (next) {
      state = next;
      changed();
    } else void resync();
  });
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: { message: string }[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
    changed();
  });
  conn.onNotification('window/logMessage', (p: { message: string }) => void stderr.push(p.message));
  conn.listen();
  const result = (await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(opts.root).href,
    capabilities: {},
    initializationOptions: opts.initializationOptions ?? {},
  })) as { lockstep: InitializeInfo };
  handle.info = result.lockstep;
  await conn.sendNotification('initialized', {});
  return handle;
}

function summary(s: Snapshot | undefined) {
  if (!s) return undefined;
  return {
    revision: s.revision,
    sessions: s.sessions.map((x) => `${x.id}[${x.sources.join(',')}]${x.live ? '' : ' ended'}`),
    leases: s.leases.map((l) => `${l.key}@${l.session}`),
    edits: s.edits.length > 20 ? `${s.edits.length} edits` : s.edits.map((e) => `${e.key}@${e.session}[${e.sources.join(',')}]`),
    unleased: s.unleased.length > 20 ? `${s.unleased.length} unleased` : s.unleased.map((u) => `${u.key}@${path.basename(u.worktree)}`),
    worktrees: s.worktrees.map((w) => `${w.path}:${w.changedFiles}`),
  };
}
