// The coordinator notices a task's agent ending as the CLI does (#18 item 2): a task started with
// `lockstep task start` (the CLI has returned) whose agent runs no hook at all and exits holding no lease
// changes nothing in the lease table, yet VS Code's Scheduler view (lockstep/schedulerChanged) must show it
// finished, and one that is killed must show failed, without any other CLI call. Real server process,
// real CLI, real agent processes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeSchedRepo } from '../fixtures/plans/schedulerRepo';
import { startServer } from './serverHarness';
import type { SchedulerState } from '../../src/protocol/schedulerMethods';

before(() => ensureBuilt());

test("the coordinator settles a task whose agent ran no hook and exited (finished) or was killed (failed), with no CLI call", async () => {
  const r = makeSchedRepo();
  r.writePlan({
    agents: {
      quiet: [process.execPath, '-e', 'setTimeout(() => {}, 3000)', '{promptFile}'],
      stuck: [process.execPath, '-e', 'setTimeout(() => {}, 600000)', '{promptFile}'],
    },
    tasks: [
      { id: 'quiet', scope: ['src/a.ts'] },
      { id: 'stuck', scope: ['src/b.ts'] },
    ],
  });
  // The fixture names the agent per task through the plan text: point each task at its stand-in.
  const planFile = `${r.repo.root}/.lockstep/plan.yaml`;
  const text = fs.readFileSync(planFile, 'utf8').replace(/- id: quiet\n/, '- id: quiet\n    agent: quiet\n').replace(/- id: stuck\n/, '- id: stuck\n    agent: stuck\n');
  fs.writeFileSync(planFile, text);
  r.repo.commitAll('agents');

  const server = await startServer({ root: r.repo.root });
  const changes: SchedulerState[] = [];
  server.conn.onNotification('lockstep/schedulerChanged', (s: SchedulerState) => void changes.push(s));
  const waitForState = async (what: string, pred: (s: SchedulerState) => boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const hit = changes.find(pred);
      if (hit) return hit;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.fail(`no lockstep/schedulerChanged with ${what}; last: ${JSON.stringify(changes.at(-1)?.tasks.map((t) => [t.id, t.status, t.state]))}`);
  };
  const status = (s: SchedulerState, id: string) => s.tasks.find((t) => t.id === id);
  try {
    await server.conn.sendRequest('lockstep/getSchedulerState', {});
    const start = (id: string) => {
      const out = runCli(['task', 'start', id, '--json'], { cwd: r.repo.root });
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout).pid as number;
    };
    const stuckPid = start('stuck');
    await waitForState('stuck running', (s) => status(s, 'stuck')?.status === 'running');
    start('quiet');
    await waitForState('quiet running', (s) => status(s, 'quiet')?.status === 'running');
    const quiet = await waitForState('quiet finished', (s) => status(s, 'quiet')?.status === 'finished');
    assert.deepEqual(status(quiet, 'quiet')!.state, { status: 'finished' });

    process.kill(stuckPid, 'SIGKILL');
    const stuck = await waitForState('stuck failed', (s) => status(s, 'stuck')?.status === 'failed');
    assert.deepEqual(status(stuck, 'stuck')!.state, { status: 'failed', reason: 'agent ended by SIGKILL' });
  } finally {
    await server.stop();
    await r.cleanup();
  }
});
