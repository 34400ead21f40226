// The worker thread that talks to Redis for redisBridge.ts. Lockstep's store contract is
// synchronous (hooks, CLI and coordinator call transact() and get an answer), Redis clients are
// not: the calling thread posts a request and sleeps on a shared flag (Atomics.wait) while this
// thread does the I/O with ioredis and wakes it. The client lives only in this file (bundled as
// dist/redisWorker.js), so nothing loads it unless a redis:// store is configured.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Redis from 'ioredis';
import { APPEND_SCRIPT, COMMIT_SCRIPT, JOURNAL_SCRIPT, READ_SCRIPT, TIME_SCRIPT, TURN_RELEASE_SCRIPT, TURN_SCRIPT } from './redisScripts';
import { CURSOR_SCRIPT, DELIVERY_READ_SCRIPT, MAILBOXES_SCRIPT, MEMORY_STAMP_SCRIPT, NOTE_SCRIPT, NOTES_SCRIPT, SEND_SCRIPT, WAITER_SCRIPT, WAITING_SCRIPT } from './redisMemoryScripts';
import type { BridgeEvent, BridgeRequest, BridgeResponse, ScriptName, WorkerData } from './redisBridgeProtocol';

const data = workerData as WorkerData;
const port: MessagePort = data.port;
const flag = new Int32Array(data.flag);

let lastError: string | undefined;
const client = new Redis(data.url, {
  connectTimeout: data.timeoutMs,
  commandTimeout: data.timeoutMs,
  // A command fails at once when the connection is down (the caller answers per its fail-open
  // setting); reconnecting goes on in the background for long-lived processes (the coordinator).
  maxRetriesPerRequest: 0,
  retryStrategy: (times) => Math.min(times * 100, 1000),
  // One round trip less per hook call; a server still loading its data answers LOADING, reported as an error.
  enableReadyCheck: false,
  lazyConnect: false,
  // A command in flight when the connection dropped has been answered as failed: sent again after
  // the reconnect it would take effect behind its caller's back (a journal line twice, say).
  autoResendUnfulfilledCommands: false,
});
client.on('error', (e: Error) => {
  lastError = e.message;
});
client.on('ready', () => {
  lastError = undefined;
});
client.defineCommand('lockstepRead', { numberOfKeys: 4, lua: READ_SCRIPT });
client.defineCommand('lockstepCommit', { numberOfKeys: 6, lua: COMMIT_SCRIPT });
client.defineCommand('lockstepTurn', { numberOfKeys: 1, lua: TURN_SCRIPT });
client.defineCommand('lockstepTurnRelease', { numberOfKeys: 1, lua: TURN_RELEASE_SCRIPT });
client.defineCommand('lockstepAppend', { numberOfKeys: 2, lua: APPEND_SCRIPT });
client.defineCommand('lockstepJournal', { numberOfKeys: 2, lua: JOURNAL_SCRIPT });
client.defineCommand('lockstepTime', { numberOfKeys: 0, lua: TIME_SCRIPT });
client.defineCommand('lockstepNote', { numberOfKeys: 2, lua: NOTE_SCRIPT });
client.defineCommand('lockstepSend', { numberOfKeys: 2, lua: SEND_SCRIPT });
client.defineCommand('lockstepNotes', { numberOfKeys: 2, lua: NOTES_SCRIPT });
client.defineCommand('lockstepDeliveryRead', { numberOfKeys: 5, lua: DELIVERY_READ_SCRIPT });
client.defineCommand('lockstepMailboxes', { numberOfKeys: 3, lua: MAILBOXES_SCRIPT });
client.defineCommand('lockstepCursor', { numberOfKeys: 2, lua: CURSOR_SCRIPT });
client.defineCommand('lockstepMemoryStamp', { numberOfKeys: 3, lua: MEMORY_STAMP_SCRIPT });
client.defineCommand('lockstepWaiter', { numberOfKeys: 1, lua: WAITER_SCRIPT });
client.defineCommand('lockstepWaiting', { numberOfKeys: 1, lua: WAITING_SCRIPT });

type Scripted = Redis & Record<ScriptName, (...args: Array<string | number>) => Promise<unknown>>;
const redis = client as Scripted;

async function run(req: BridgeRequest): Promise<unknown> {
  switch (req.op) {
    case 'script':
      return redis[req.script](...req.keys, ...req.args);
    case 'get':
      return client.get(req.key);
    case 'info':
      return client.info(req.section);
    case 'config-get':
      return client.config('GET', req.parameter);
    case 'subscribe':
      subscribe(req.channel);
      return true;
  }
}

// Live updates: a second connection in subscriber mode (ioredis subscribes again by itself after a
// reconnect); 'up' after every (re)connection tells the caller to re-read the table, so an update
// published while the connection was down is never missed.
let subscriber: Redis | undefined;
function subscribe(channel: string): void {
  if (subscriber) return;
  let subError: string | undefined;
  let up = false;
  const sub = client.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
  subscriber = sub;
  const emit = (e: BridgeEvent) => data.events.postMessage(e);
  sub.on('error', (e: Error) => (subError = e.message));
  sub.on('message', () => emit({ kind: 'changed' }));
  sub.on('close', () => {
    if (!up) return;
    up = false;
    emit({ kind: 'down', error: subError ?? 'the connection to the server was lost' });
  });
  const subscribed = () =>
    sub.subscribe(channel).then(
      () => {
        up = true;
        subError = undefined;
        emit({ kind: 'up' });
      },
      () => undefined, // the next reconnect tries again
    );
  // After a reconnect ioredis resubscribes by itself; 'up' goes out once that SUBSCRIBE is answered.
  sub.on('ready', () => void (up ? undefined : subscribed()));
}

function reply(res: BridgeResponse): void {
  port.postMessage(res);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', (req: BridgeRequest) => {
  run(req).then(
    (value) => reply({ id: req.id, ok: true, value }),
    (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      // "Reached the max retries per request limit" says nothing: the connection error does.
      // The server can go away without an 'error' event (killed, restarted): still unreachable, never a plain failure.
      const connection = /max retries per request|Connection is closed|Stream isn't writeable/i.test(message) ? (lastError ?? 'the connection to the server was lost') : undefined;
      reply({ id: req.id, ok: false, error: connection ?? message, unreachable: connection !== undefined || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|timed out|Command timed out/i.test(message) });
    },
  );
});
parentPort?.unref();
