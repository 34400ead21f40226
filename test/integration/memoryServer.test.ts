// The decision log and mailboxes through the coordinator server (a real process over stdio, as the
// extension talks to it): a note the CLI writes is pushed live, newest first; a message the client
// sends reaches `lockstep inbox`, and the session's unread count rises and falls back to zero once
// its messages were received; bad targets, empty text and full mailboxes are refused in one line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memoryChangedNotification, memoryRequests, MemoryState, type MemoryRequestName, type MemoryRequestParams, type MemoryRequestResult } from '../../src/protocol/memoryMethods';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';

describe('shared memory through the coordinator server', () => {
  let repo: TempRepo;
  let server: ServerHandle;
  let home: string;
  let latest: MemoryState | undefined;
  const listeners = new Set<() => void>();

  const cli = (...args: string[]) => cliAs('', ...args);
  /** The CLI run as session `session` (LOCKSTEP_SESSION, as the scheduler starts agents; '' for the person). */
  const cliAs = (session: string, ...args: string[]) => {
    const r = runCli(args, { cwd: repo.root, env: { HOME: home, LOCKSTEP_SESSION: session, LOCKSTEP_TASK: '' } });
    assert.equal(r.status, 0, `lockstep ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const request = <K extends MemoryRequestName>(name: K, params: MemoryRequestParams<K>) =>
    server.conn.sendRequest(memoryRequests[name].type.method, params) as Promise<MemoryRequestResult<K>>;
  /** The first pushed state satisfying `pred` (the latest one counts too). */
  const pushed = (what: string, pred: (s: MemoryState) => boolean, timeoutMs = 15_000) =>
    new Promise<MemoryState>((resolve, reject) => {
      const check = () => {
        if (latest && pred(latest)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(latest);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; last pushed: ${JSON.stringify(latest)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  before(async () => {
    ensureBuilt();
    repo = makeTempRepo({ files: { 'README.md': '# r\n', 'src/a.ts': 'a\n' } });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
    server = await startServer({ root: repo.root, env: { HOME: home }, initializationOptions: { userSessionId: 'vscode:tester' } });
    server.conn.onNotification(memoryChangedNotification.method, (raw: unknown) => {
      latest = MemoryState.parse(raw);
      for (const l of [...listeners]) l();
    });
  });

  after(async () => {
    await server?.stop();
    repo?.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('pushes the notes the CLI writes, newest first, with who, task and when', async () => {
    assert.deepEqual(await request('getMemoryState', {}), { notes: [], total: 0, unread: [] });
    cli('note', 'Dates are ISO 8601 strings', '--task', 'api', '--session', 'claude:worker');
    cli('note', 'No new dependencies', '--session', 'human:ann');
    const s = await pushed('two notes', (x) => x.total === 2);
    assert.deepEqual(
      s.notes.map((n) => [n.n, n.by, n.task, n.text]),
      [
        [2, 'human:ann', undefined, 'No new dependencies'],
        [1, 'claude:worker', 'api', 'Dates are ISO 8601 strings'],
      ],
    );
    assert.ok(s.notes.every((n) => typeof n.at === 'number' && n.at > 0));

    const { note } = await request('addNote', { text: 'Land api before web', task: 'api' });
    assert.deepEqual([note.n, note.by, note.task], [3, 'vscode:tester', 'api']);
    const log = JSON.parse(cli('log', '--json')) as { notes: { n: number; by: string; text: string }[] };
    assert.deepEqual(log.notes.at(-1), { ...note });
    await pushed('the note written through the server', (x) => x.notes[0]?.n === 3);
  });

  it("sends a message as the user's session: the unread count rises, stays after another session peeked, and falls once the agent's own `lockstep inbox` received it", async () => {
    cli('claim', 'src/a.ts', '--session', 'claude:worker'); // a live session in the lease table
    const r = await request('sendMessage', { to: 'claude:worker', text: 'Keep the v1 endpoint' });
    assert.deepEqual(r.recipients, ['claude:worker']);
    assert.equal(r.message.from, 'vscode:tester');
    assert.match(r.text, /^sent #1 to claude:worker; it is delivered with the agent's next tool call or prompt/);
    await pushed('one message waiting for claude:worker', (x) => JSON.stringify(x.unread) === JSON.stringify([{ session: 'claude:worker', count: 1 }]));

    // Someone else reading the agent's inbox only peeks: it still waits for the agent.
    const peeked = JSON.parse(cli('inbox', '--session', 'claude:worker', '--json')) as { peek: boolean; notice: string; messages: { text: string }[] };
    assert.deepEqual([peeked.peek, peeked.messages.map((m) => m.text)], [true, ['Keep the v1 endpoint']]);
    assert.match(peeked.notice, /^peeked at claude:worker's inbox: the message stays unread/);
    const inbox = JSON.parse(cliAs('claude:worker', 'inbox', '--json')) as { peek: boolean; messages: { from: string; text: string }[] };
    assert.equal(inbox.peek, false);
    assert.deepEqual(inbox.messages.map((m) => [m.from, m.text]), [['vscode:tester', 'Keep the v1 endpoint']]);
    await pushed('no message waiting once received', (x) => x.unread.length === 0);
  });

  it('refuses a bad target, an empty text and a full mailbox in one line, and stores nothing', async () => {
    const refused = async (params: MemoryRequestParams<'sendMessage'>) => {
      try {
        await request('sendMessage', params);
      } catch (e) {
        return (e as Error).message;
      }
      assert.fail(`sendMessage ${JSON.stringify(params)} was accepted`);
    };
    assert.match(await refused({ to: 'bogus:x', text: 'hi' }), /^lockstep\/sendMessage: to: 'bogus:x': expected a task id, all, or <agent>:<id>/);
    assert.match(await refused({ to: 'api', text: '   ' }), /^lockstep\/sendMessage: text: is empty$/);
    assert.match(await refused({ to: 'api', text: 'x'.repeat(5000) }), /text: is longer than 4000 bytes/);
    cli('config', '--mailbox-size', '1');
    await request('sendMessage', { to: 'claude:worker', text: 'one' });
    assert.match(await refused({ to: 'claude:worker', text: 'two' }), /^lockstep\/sendMessage: claude:worker's mailbox is full \(1 undelivered messages\)/);
    const peek = JSON.parse(cli('inbox', '--session', 'claude:worker', '--peek', '--json')) as { messages: { text: string }[] };
    assert.deepEqual(peek.messages.map((m) => m.text), ['one']);
  });
});
