// The swarm's shared memory inside the coordinator server: answers the requests of
// protocol/memoryMethods.ts (notes and messages written as the user's session, through the same
// store functions as `lockstep note` and `lockstep send`) and pushes `lockstep/memoryChanged`
// whenever the decision log or the messages grow, or a session's delivery cursor moves (its agent
// received its messages, so the unread counts change). main.ts calls registerMemoryHost once; until
// the coordinator knows its repository every request is answered with NOT_A_REPOSITORY.
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { parseTarget, sentSummary } from '../core/memory';
import { AgentName } from '../core/model';
import { describeZodError } from '../protocol/coordinatorMethods';
import {
  memoryChangedNotification,
  memoryRequests,
  NOTES_SHOWN,
  type MemoryRequestName,
  type MemoryRequestResult,
  type MemoryState,
} from '../protocol/memoryMethods';
import { EmbeddedMemory } from '../store/embeddedMemory';
import { EmbeddedStore } from '../store/embeddedStore';
import { MailboxFullError, type MemoryStore } from '../store/memoryStore';
import { openMemory } from '../store/openMemory';
import { StoreError } from '../store/storeErrors';
import { CoalescingRunner } from './coalescingRunner';
import type { Coordinator } from './coordinator';
import { NamedFileWatcher } from './namedFileWatcher';
import { NOT_A_REPOSITORY, oneLine } from './requestErrors';

/** A burst of appends (a note storm) makes one update. */
const DEBOUNCE_MS = 50;
/** How often the coordinator's model is checked for new sessions (whose cursors to watch). */
const POLL_MS = 200;

export interface MemoryHostOptions {
  /** The coordinator once it has opened the repository; undefined while idle. */
  coordinator: () => Coordinator | undefined;
  log: (message: string) => void;
}

export interface MemoryHost {
  /** The state last pushed to the client. */
  readonly lastState: MemoryState | undefined;
  dispose(): void;
}

class RequestError extends Error {
  override readonly name = 'MemoryRequestError';
}

type Handlers = { [K in MemoryRequestName]: (c: Coordinator, p: unknown) => Promise<MemoryRequestResult<K>> };


/** The memory of the coordinator's store; opened per use, so `lockstep config --mailbox-size` applies at once. */
function memoryOf(c: Coordinator): MemoryStore {
  return openMemory(c.store);
}

/** The newest notes and the unread counts of every session the coordinator knows. */
export function memoryState(c: Coordinator): MemoryState {
  const memory = memoryOf(c);
  const all = memory.notes();
  const sessions = c.snapshot().sessions.map((s) => ({ id: s.id, task: s.task }));
  const unread = Object.entries(memory.unreadCounts(sessions))
    .filter(([, count]) => count > 0)
    .map(([session, count]) => ({ session, count }))
    .sort((a, b) => a.session.localeCompare(b.session));
  return { notes: all.slice(-NOTES_SHOWN).reverse(), total: all.length, unread };
}

export function registerMemoryHost(connection: Connection, opts: MemoryHostOptions): MemoryHost {
  let disposed = false;
  let lastState: MemoryState | undefined;
  let lastJson = '';
  let watchedFor: Coordinator | undefined;
  let lastSessions = '';
  const watcher = new NamedFileWatcher(() => runner.trigger(), (e) => opts.log(`memory: watching: ${oneLine(e)}`));

  const runner = new CoalescingRunner(
    async () => {
      const c = opts.coordinator();
      if (!c || disposed) return;
      watchFiles(c);
      const state = memoryState(c);
      const json = JSON.stringify(state);
      if (json === lastJson) return;
      lastJson = json;
      lastState = state;
      void connection.sendNotification(memoryChangedNotification, state);
    },
    DEBOUNCE_MS,
    (e) => opts.log(`memory: ${oneLine(e)}`),
  );

  /** The two logs, their rotated halves, and the cursor of every session the coordinator knows (team mode: the poll below). */
  const watchFiles = (c: Coordinator) => {
    const memory = memoryOf(c);
    watchedFor = c;
    if (!(memory instanceof EmbeddedMemory)) return watcher.set([]);
    const p = memory.paths;
    const cursors = c.snapshot().sessions.map((s) => memory.cursorFile(s.id));
    watcher.set([p.notes, p.notesRotated, p.messages, p.messagesRotated, ...cursors]);
  };

  // Sessions come and go (and take up tasks) with the coordinator's model: follow them. In team mode
  // the memory is on Redis, written from other machines too: its stamp (one small script) is polled.
  let lastStamp = '';
  const poll = setInterval(() => {
    const c = opts.coordinator();
    if (disposed || !c) return;
    const sessions = JSON.stringify(c.snapshot().sessions.map((s) => [s.id, s.task]));
    let stamp = '';
    if (!(c.store instanceof EmbeddedStore)) {
      try {
        stamp = memoryOf(c).stamp();
      } catch {
        stamp = lastStamp; // unreachable: the store's own watch reports that; read again once it answers
      }
    }
    if (c !== watchedFor || sessions !== lastSessions || stamp !== lastStamp) {
      lastSessions = sessions;
      lastStamp = stamp;
      runner.trigger();
    }
  }, POLL_MS);
  poll.unref();

  const handlers: Handlers = {
    getMemoryState: async (c) => {
      await runner.idle();
      return memoryState(c);
    },
    addNote: async (c, p) => {
      const { text, task } = p as { text: string; task?: string };
      const note = memoryOf(c).note({ by: c.userSession, ...(task ? { task } : {}), text });
      runner.trigger();
      return { note };
    },
    sendMessage: async (c, p) => {
      const { to, text } = p as { to: string; text: string };
      let target;
      try {
        target = parseTarget(to);
      } catch (e) {
        throw new RequestError(`to: ${oneLine(e)}`);
      }
      if (target.kind === 'session' && !AgentName.safeParse(target.id.slice(0, target.id.indexOf(':'))).success) {
        throw new RequestError(`to: '${to}': expected a task id, all, or <agent>:<id> with agent one of ${AgentName.options.join(', ')}`);
      }
      const r = memoryOf(c).send({ from: c.userSession, to: target, text });
      runner.trigger();
      return { message: r.message, recipients: r.recipients, full: r.full, woken: r.woken, text: sentSummary(r) };
    },
  };

  for (const name of Object.keys(memoryRequests) as MemoryRequestName[]) {
    const spec = memoryRequests[name];
    const method = spec.type.method;
    connection.onRequest(method, async (raw: unknown) => {
      const parsed = spec.params.safeParse(raw);
      if (!parsed.success) return new ResponseError(ErrorCodes.InvalidParams, describeZodError(method, parsed.error));
      const c = opts.coordinator();
      if (!c) return new ResponseError(NOT_A_REPOSITORY, `${method}: Lockstep is idle: no repository is open`);
      try {
        return await handlers[name](c, parsed.data);
      } catch (e) {
        // A full mailbox, an empty or oversized text, nobody to receive `all`: the user's to fix.
        if (e instanceof RequestError || e instanceof MailboxFullError || e instanceof StoreError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${oneLine(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `${method}: ${oneLine(e)}`);
      }
    });
  }

  return {
    get lastState() {
      return lastState;
    },
    dispose() {
      disposed = true;
      clearInterval(poll);
      runner.close();
      void watcher.close();
    },
  };
}
