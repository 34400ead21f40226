// Whether a task marked running still has an agent at work, for a scheduler that did not launch it (a
// `lockstep task start` that has returned, a coordinator that restarted): every running task is checked,
// whether or not its session holds leases. The agent's supervisor records how it ended; an agent that
// ended without such a record (its supervisor killed too, a terminal closed) failed "without a status":
// only a known clean exit makes a task finished.
import type { ProcessVerdict } from '../core/leaseTable';
import type { ProcessIdentity, Session } from '../core/model';
import type { TaskRuntime, TaskState } from '../core/task';
import { judgeExit } from './agentLauncher';
import type { AgentExitRecord } from './agentSupervisor';

export type RunningVerdict = { ended: false } | { ended: true; next: TaskState; why: string };

export interface LivenessInputs {
  rt: TaskRuntime;
  /** The task's sessions as the store has them (undefined: no longer in the store). */
  sessions: (Session | undefined)[];
  /** Reads the supervisor's record of this run; called again after the processes are found gone (it may have just been written). */
  exitRecord: () => AgentExitRecord | undefined;
  verdict: (identity: ProcessIdentity) => ProcessVerdict;
}

/** Ended (with what the task becomes and why) or still at work. */
export function judgeRunningTask({ rt, sessions, exitRecord, verdict }: LivenessInputs): RunningVerdict {
  const fromRecord = (r: AgentExitRecord): RunningVerdict => {
    const next = judgeExit({ exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}) });
    return { ended: true, next, why: next.status === 'finished' ? 'its agent exited with code 0' : next.reason };
  };
  const first = exitRecord();
  if (first) return fromRecord(first);

  const agents = sessions.map((s) => s?.process).filter((p): p is ProcessIdentity => p !== undefined);
  const watched = [...agents, ...(rt.supervisor ? [rt.supervisor] : [])];
  let gone: string | undefined;
  if (watched.length > 0) {
    // Alive or unknown (another host): still at work. Dead agent with a live supervisor: the record is coming.
    const verdicts = watched.map((p) => verdict(p));
    if (verdicts.some((v) => v.state !== 'dead')) return { ended: false };
    const agentDead = agents.length > 0 ? verdicts[0] : undefined;
    gone = agentDead?.state === 'dead' ? `its agent process ${agents[0]!.pid} is gone` : `its supervisor ${rt.supervisor!.pid} is gone`;
  } else {
    // No process known (a launcher that could not tell): its sessions ending is all there is to go by.
    if (sessions.length === 0 || sessions.some((s) => s !== undefined && s.endedAt === undefined)) return { ended: false };
    gone = sessions.find((s) => s?.endReason)?.endReason ?? 'its session ended';
  }
  const late = exitRecord();
  if (late) return fromRecord(late);
  const next = judgeExit({ exitCode: null, unknown: gone });
  return { ended: true, next, why: next.status === 'finished' ? 'finished' : next.reason };
}
