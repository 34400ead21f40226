// Real process trees: a stand-in agent runs hook commands through real shells; the hook side
// identifies the agent, and the agent's liveness is judged through stop, continue, kill and zombie.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { identifyProcess, processVerdict } from '../../src/agents/agentProcess';
import { processPlatform, readProcess } from '../../src/process/processTable';
import type { ProcessIdentity } from '../../src/core/model';
import { PROJECT_ROOT, StandInAgent } from './fixtures/standInAgent';

const supported = processPlatform() !== 'unsupported';

// What the hook side runs: identify the agent, and report the real ancestry so the test can check
// that the shells really sat in between (a shell may exec its last command instead of forking).
const PRINT_IDENTITY = `
const { identifyAgentProcess } = require(process.env.AGENT_PROCESS_MODULE);
const { readProcess } = require(process.env.PROCESS_TABLE_MODULE);
const chain = [];
for (let pid = process.pid, i = 0; pid > 1 && i < 8; i++) {
  const info = readProcess(pid);
  if (!info) break;
  chain.push({ pid, comm: info.comm });
  pid = info.ppid;
}
process.stdout.write(JSON.stringify({ self: process.pid, identity: identifyAgentProcess(), chain }));
`;
const HOOK_ENV = {
  PRINT_IDENTITY,
  AGENT_PROCESS_MODULE: path.join(PROJECT_ROOT, 'src/agents/agentProcess.ts'),
  PROCESS_TABLE_MODULE: path.join(PROJECT_ROOT, 'src/process/processTable.ts'),
};
const NODE = JSON.stringify(process.execPath);
const PRINT = `${NODE} --import tsx -e "$PRINT_IDENTITY"`;

interface Printed {
  self: number;
  identity?: ProcessIdentity;
  chain: { pid: number; comm: string }[];
}

async function identifyThrough(agent: StandInAgent, command: string, shell?: string): Promise<Printed> {
  const run = await agent.run(command, { shell, env: HOOK_ENV, cwd: PROJECT_ROOT });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Printed;
}

/** The comms strictly between the hook process and the agent. */
function between(p: Printed, agentPid: number): string[] {
  const at = p.chain.findIndex((c) => c.pid === agentPid);
  assert.ok(at > 0, `agent ${agentPid} is an ancestor of the hook: ${JSON.stringify(p.chain)}`);
  return p.chain.slice(1, at).map((c) => c.comm);
}

describe('identifying the agent from a hook', { skip: !supported }, () => {
  let agent: StandInAgent;
  before(async () => {
    agent = await StandInAgent.start();
  });
  after(async () => {
    await agent.dispose();
  });

  it('through `/bin/sh -c` (how Claude Code runs hooks): the stand-in agent, not sh, not the hook', async () => {
    const p = await identifyThrough(agent, `${PRINT}; exit $?`);
    assert.deepEqual(between(p, agent.pid), ['sh']);
    assert.equal(p.identity?.pid, agent.pid);
    assert.equal(p.identity?.startTime, readProcess(agent.pid)?.startTime);
    assert.equal(p.identity?.command, 'node');
    assert.deepEqual(processVerdict(p.identity!), { state: 'alive' });
  });

  it('through `bash -c`, both when bash stays and when it execs the command', async () => {
    const stays = await identifyThrough(agent, `${PRINT}; exit $?`, '/bin/bash');
    assert.deepEqual(between(stays, agent.pid), ['bash']);
    assert.equal(stays.identity?.pid, agent.pid);
    const execs = await identifyThrough(agent, PRINT, '/bin/bash');
    assert.equal(execs.identity?.pid, agent.pid);
  });

  it('through two nested shells and a timeout wrapper', async () => {
    const p = await identifyThrough(agent, `bash -c 'timeout 30 sh -c '"'"'${PRINT}; exit $?'"'"'; exit $?'; exit $?`);
    assert.deepEqual(between(p, agent.pid), ['sh', 'timeout', 'bash', 'sh']);
    assert.equal(p.identity?.pid, agent.pid);
  });

  it('the identity is the same on every hook call of the agent', async () => {
    const a = await identifyThrough(agent, `${PRINT}; exit $?`);
    const b = await identifyThrough(agent, `${PRINT}; exit $?`, '/bin/bash');
    assert.deepEqual(a.identity, b.identity);
  });
});

describe('judging the agent alive or dead', { skip: !supported }, () => {
  it('a stopped agent is alive; continued it is still alive; killed -9 and reaped it is dead', async () => {
    const agent = await StandInAgent.start();
    try {
      const identity = identifyProcess(agent.pid)!;
      agent.signal('SIGSTOP');
      await waitForState(agent.pid, /^[Tt]$/);
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
      agent.signal('SIGCONT');
      await waitForState(agent.pid, /^[RS]$/);
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
      await agent.killHard();
      assert.deepEqual(processVerdict(identity), { state: 'dead', reason: `holder's agent process ${agent.pid} ended` });
    } finally {
      await agent.dispose();
    }
  });

  it('a stopped agent that is then killed is dead', async () => {
    const agent = await StandInAgent.start();
    try {
      const identity = identifyProcess(agent.pid)!;
      agent.signal('SIGSTOP');
      await waitForState(agent.pid, /^[Tt]$/);
      await agent.killHard();
      assert.equal(processVerdict(identity).state, 'dead');
    } finally {
      await agent.dispose();
    }
  });

  it('a zombie (ended, not yet reaped by its parent) is dead', async () => {
    // sh starts `sleep 0.3` in the background, then becomes `sleep 30`, which never reaps it.
    const parent = spawn('/bin/sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
      const pid = Number(chunk.toString().trim());
      const identity = identifyProcess(pid)!;
      assert.ok(identity, 'identified while it ran');
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
      await waitForState(pid, /^Z$/);
      assert.deepEqual(processVerdict(identity), { state: 'dead', reason: `holder's agent process ${pid} ended` });
    } finally {
      parent.kill('SIGKILL');
      await once(parent, 'exit').catch(() => undefined);
    }
  });

  it('pid reuse: the right pid with another start time is dead, the live process with its own start time alive', async () => {
    const agent = await StandInAgent.start();
    try {
      const identity = identifyProcess(agent.pid)!;
      const other = identifyProcess(process.pid)!;
      // The identity a dead agent left behind, now that its pid belongs to `agent`.
      const stale: ProcessIdentity = { ...identity, startTime: other.startTime };
      assert.deepEqual(processVerdict(stale), {
        state: 'dead',
        reason: `holder's agent process ${agent.pid} ended (pid ${agent.pid} now belongs to another process)`,
      });
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
    } finally {
      await agent.dispose();
    }
  });

  it("the agent's hook processes and other children ending is not the agent ending", async () => {
    const agent = await StandInAgent.start();
    try {
      const p = await identifyThrough(agent, `${PRINT}; exit $?`);
      const identity = p.identity!;
      // the hook and its shell have ended
      for (const c of p.chain.slice(0, p.chain.findIndex((x) => x.pid === agent.pid))) {
        assert.equal(readProcess(c.pid), undefined, `${c.comm} ${c.pid} has ended`);
      }
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
      // a long child killed -9 by someone else
      const child = await agent.spawnOnly('exec sleep 30');
      process.kill(child, 'SIGKILL');
      await waitFor(() => readProcess(child) === undefined);
      const failing = await agent.run('exit 3');
      assert.equal(failing.code, 3);
      assert.deepEqual(processVerdict(identity), { state: 'alive' });
    } finally {
      await agent.dispose();
    }
  });
});

async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function waitForState(pid: number, state: RegExp): Promise<void> {
  return waitFor(() => state.test(readProcess(pid)?.state ?? ''), `pid ${pid} in state ${state}`);
}
