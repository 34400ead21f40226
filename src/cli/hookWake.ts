// `lockstep hook --agent claude --wake`: Claude Code's asyncRewake Stop hook. When a turn ends, Claude
// Code runs it in the background; it registers the session as wakeable (wakeMarkers.ts, and in team
// mode on the team store, so `lockstep send` on any machine tells the sender it wakes the agent) and
// waits; a team store that does not answer for a while is waited out. When a message for the session arrives it
// hands over what the session has not seen (the same exactly-once delivery as every hook) on stderr
// and exits 2: Claude Code then wakes the model with that text. It stops without a word (exit 0)
// when the agent exits, when a later Stop hook took over, or after WAKE_MAX_S; at once when the agent
// does not idle after a turn (`claude -p "<prompt>"`), or cannot be identified.
import * as os from 'node:os';
import { deliveryText } from '../core/memory';
import { identifyAgentProcess } from '../agents/agentProcess';
import { identifyProcess } from '../process/processLiveness';
import { readProcess } from '../process/processTable';
import { parseHookInput } from '../agents/registry';
import { locateRepo } from '../repoPaths/repoLocator';
import { openLeaseStore } from '../store/openLeaseStore';
import { openMemory } from '../store/openMemory';
import { liveWaiter, registerWaiter, unregisterWaiter } from '../store/wakeMarkers';

/** How long an idle session stays wakeable after its turn ended (the hook's timeout is a bit longer). */
export const WAKE_MAX_S = 6 * 3600;
/** How often the waiter looks for a message: two stats when nothing changed (team mode: one Redis call). */
const POLL_MS = 250;
/** Team mode: how often the waiter renews its announcement to senders on other machines. */
const ANNOUNCE_EVERY_MS = 5000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether a Claude Code command line keeps the session open after a turn (so it can idle and be woken). */
export function idles(argv: readonly string[]): boolean {
  const print = argv.some((a) => a === '-p' || a === '--print');
  if (!print) return true;
  const i = argv.indexOf('--input-format');
  return (i >= 0 && argv[i + 1] === 'stream-json') || argv.includes('--input-format=stream-json');
}

export function runWake(stdin: Buffer, env: NodeJS.ProcessEnv, maxS = WAKE_MAX_S): { stderr: string; exitCode: number } {
  let session: { id: string; task?: string };
  let commonDir: string;
  try {
    const { event } = parseHookInput(stdin.toString('utf8'), 'claude');
    session = { id: env.LOCKSTEP_SESSION || `${event.agent}:${event.sessionId}`, task: env.LOCKSTEP_TASK || undefined };
    commonDir = locateRepo(event.cwd).commonDir;
  } catch (e) {
    // Never exit 2 here: that would wake the model with an error it cannot act on.
    return { stderr: `lockstep hook --wake: ${(e as Error).message.split('\n')[0]}\n`, exitCode: 0 };
  }
  const store = openLeaseStore(commonDir);
  const memory = openMemory(store);
  const dir = store.paths.memory.wake; // wake markers are this machine's, in team mode too
  const agent = identifyAgentProcess({ env });
  // `claude -p "<prompt>"` ends after its turn but waits for its background hooks: a waiter would
  // keep it running. Only a session that reads more input (interactive, or -p with stream-json input) idles.
  const argv = agent ? readProcess(agent.pid)?.argv : undefined;
  if (!argv || !idles(argv)) return { stderr: '', exitCode: 0 };
  const agentAlive = () => !agent || identifyProcess(agent.pid)?.startTime === agent.startTime;
  registerWaiter(dir, session.id, process.pid);
  // Team mode: senders on other machines are told too (the announcement runs out unless renewed).
  const me = `${os.hostname()}:${process.pid}`;
  let announcedAt = 0;
  const deadline = Date.now() + maxS * 1000;
  let seen = '';
  try {
    while (Date.now() < deadline && agentAlive() && liveWaiter(dir, session.id)?.pid === process.pid) {
      try {
        if (memory.announceWaiter && Date.now() - announcedAt >= ANNOUNCE_EVERY_MS) {
          memory.announceWaiter(session.id, me, 3 * ANNOUNCE_EVERY_MS);
          announcedAt = Date.now();
        }
        const stamp = memory.stamp();
        if (stamp !== seen) {
          if (memory.inbox(session).length > 0) {
            const delivery = memory.deliver(session);
            if (delivery) {
              unregisterWaiter(dir, session.id, process.pid);
              return { stderr: `${deliveryText(delivery)}\n`, exitCode: 2 };
            }
          }
          seen = stamp;
        }
      } catch {
        // The team store did not answer (Redis restarting): keep waiting, look again at the next poll.
      }
      sleep(POLL_MS);
    }
    return { stderr: '', exitCode: 0 };
  } finally {
    unregisterWaiter(dir, session.id, process.pid);
    try {
      memory.withdrawWaiter?.(session.id, me);
    } catch {
      /* runs out by itself */
    }
  }
}
