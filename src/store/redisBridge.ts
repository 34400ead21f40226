// Synchronous calls to Redis. The store contract is synchronous (a hook answers from one
// transact() call), so the calling thread posts each request to a worker thread that owns the Redis
// client (redisWorker.ts) and sleeps on a shared flag until the answer is posted back. The worker
// starts on the first call: processes that never use a redis:// store never load a client.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BridgeEvent, BridgeRequest, BridgeResponse, WorkerData } from './redisBridgeProtocol';
import { StoreError } from './storeErrors';
import { displayUrl } from '../core/storeUrl';

export { displayUrl } from '../core/storeUrl';

/** Redis could not be reached (refused, timed out, connection lost): the hook answers per fail-open. */
export class StoreUnreachableError extends StoreError {
  override readonly name = 'StoreUnreachableError';
}

/** How long one Redis command may take before the call fails (LOCKSTEP_STORE_TIMEOUT_MS). */
export const DEFAULT_REDIS_TIMEOUT_MS = 2000;
/** The first call also waits for the worker thread to start and load the client. */
const WORKER_START_MS = 10_000;

type Request = BridgeRequest extends infer R ? (R extends BridgeRequest ? Omit<R, 'id'> : never) : never;

/** dist/redisWorker.js beside the bundle, or the source file when running from source (tsx). */
function workerFile(): string {
  const override = process.env.LOCKSTEP_REDIS_WORKER;
  if (override) return override;
  for (const name of ['redisWorker.js', 'redisWorker.ts']) {
    const file = path.join(__dirname, name);
    if (fs.existsSync(file)) return file;
  }
  throw new StoreError(`the Redis client of this Lockstep build is missing (${path.join(__dirname, 'redisWorker.js')}); reinstall Lockstep`);
}

export class RedisBridge {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private events: MessagePort | undefined;
  private readonly listeners = new Set<(e: BridgeEvent) => void>();
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private started = false;

  constructor(
    readonly url: string,
    /** How long one command may take before the worker gives up on it. */
    readonly timeoutMs = DEFAULT_REDIS_TIMEOUT_MS,
  ) {}

  private start(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    const events = new MessageChannel();
    const data: WorkerData = { url: this.url, flag: this.flag.buffer as SharedArrayBuffer, port: port2, events: events.port2, timeoutMs: this.timeoutMs };
    // stdout/stderr: true keeps anything the client might print out of an agent's hook answer.
    const file = workerFile();
    // From source (tests under tsx), the worker registers tsx itself: workers do not inherit its loader.
    const entry = file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});` : file;
    this.worker = new Worker(entry, { eval: file.endsWith('.ts'), workerData: data, transferList: [port2, events.port2], stdout: true, stderr: true });
    this.worker.unref();
    this.worker.on('error', () => undefined); // reported to the caller as a timeout: it is asleep meanwhile
    port1.unref();
    this.port = port1;
    events.port1.on('message', (e: BridgeEvent) => {
      for (const l of [...this.listeners]) l(e);
    });
    events.port1.unref(); // listening keeps no process alive
    this.events = events.port1;
    return port1;
  }

  /**
   * Live updates of `channel`: 'changed' per published commit, 'up' after every (re)connection (re-read
   * then: what was published meanwhile is not replayed), 'down' when the connection is lost.
   */
  watch(channel: string, listener: (e: BridgeEvent) => void): () => void {
    this.listeners.add(listener);
    this.call({ op: 'subscribe', channel });
    return () => void this.listeners.delete(listener);
  }

  /** One request, answered synchronously; throws StoreUnreachableError or StoreError with one line. */
  call(req: Request): unknown {
    const port = this.start();
    const id = this.nextId++;
    const first = !this.started;
    const deadline = Date.now() + 2 * this.timeoutMs + (first ? WORKER_START_MS : 0);
    port.postMessage({ ...req, id });
    for (;;) {
      Atomics.store(this.flag, 0, 0);
      const got = receiveMessageOnPort(port);
      if (got) {
        const res = got.message as BridgeResponse;
        if (res.id !== id) continue; // the late answer of a call that timed out
        this.started = true;
        if (res.ok) return res.value;
        const where = displayUrl(this.url);
        if (res.unreachable) throw new StoreUnreachableError(`team store ${where} unreachable: ${res.error}`);
        throw new StoreError(`team store ${where}: ${res.error}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new StoreUnreachableError(`team store ${displayUrl(this.url)}: no answer within ${Math.ceil((2 * this.timeoutMs + (first ? WORKER_START_MS : 0)) / 1000)}s`);
      Atomics.wait(this.flag, 0, 0, left);
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    this.events?.close();
    this.events = undefined;
    this.listeners.clear();
    if (w) await w.terminate();
  }
}

const bridges = new Map<string, RedisBridge>();

/** The process's bridge to `url` (one worker and connection per URL). */
export function redisBridge(url: string): RedisBridge {
  let b = bridges.get(url);
  if (!b) {
    const t = Number(process.env.LOCKSTEP_STORE_TIMEOUT_MS);
    b = new RedisBridge(url, Number.isFinite(t) && t > 0 ? t : DEFAULT_REDIS_TIMEOUT_MS);
    bridges.set(url, b);
  }
  return b;
}

/** Stops every bridge's worker (a coordinator shutting down, a test). */
export async function closeRedisBridges(): Promise<void> {
  const all = [...bridges.values()];
  bridges.clear();
  await Promise.all(all.map((b) => b.close()));
}
