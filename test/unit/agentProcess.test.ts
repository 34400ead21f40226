// Agent identification rules and liveness verdicts, against this machine's real process table.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as os from 'node:os';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LivenessMonitor,
  identifyAgentProcess,
  identifyProcess,
  isRunner,
  nodeScript,
  processVerdict,
} from '../../src/agents/agentProcess';
import { parseLinuxStartTime, parseProcStat, parsePsLines, processPlatform, readProcess } from '../../src/process/processTable';
import { ProcessIdentity } from '../../src/core/model';

const linux = processPlatform() === 'linux';
const ctx = { ownScripts: ['/opt/lockstep-checkout/dist/cli.js'] };
const proc = (comm: string, argv: string[]) => ({ pid: 4242, comm, argv });

/** A pid that certainly belonged to a process that has ended and been reaped. */
async function reapedPid(): Promise<number> {
  const child = spawn('true');
  await once(child, 'exit');
  return child.pid!;
}

describe('parseProcStat', () => {
  const tail = 'S 10 11 11 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10';
  it('reads state, ppid and start ticks (field 22)', () => {
    assert.deepEqual(parseProcStat(`123 (node) ${tail}`), { pid: 123, comm: 'node', state: 'S', ppid: 10, startTicks: '987654' });
  });
  it('keeps a comm with spaces and parentheses whole', () => {
    const s = parseProcStat(`77 (a) b (c)) ) ${tail}`);
    assert.equal(s?.comm, 'a) b (c)) ');
    assert.equal(s?.ppid, 10);
    assert.equal(s?.startTicks, '987654');
  });
  it('rejects garbage', () => {
    assert.equal(parseProcStat('not a stat line'), undefined);
    assert.equal(parseProcStat('1 (x) S 0'), undefined);
  });
});

describe('parsePsLines (macOS ps -o pid=,ppid=,stat=,lstart=,args=)', () => {
  it('parses lstart as one value and keeps args', () => {
    const rows = parsePsLines(' 4321   123 Ss   Mon Nov 27 20:36:00 2023     /usr/local/bin/claude --resume\n  12     1 Z    Tue Jan  2 01:02:03 2024     \n');
    assert.deepEqual(rows[0], {
      pid: 4321,
      ppid: 123,
      state: 'S',
      startTime: 'Mon Nov 27 20:36:00 2023',
      comm: 'claude',
      argv: ['/usr/local/bin/claude', '--resume'],
    });
    assert.equal(rows[1].state, 'Z');
    assert.equal(rows[1].startTime, 'Tue Jan 2 01:02:03 2024');
  });
});

describe('nodeScript', () => {
  it('skips node options, including those that take a value', () => {
    assert.equal(nodeScript(['node', '--import', 'tsx', '--enable-source-maps', 'src/cli/cli.ts', 'hook']), 'src/cli/cli.ts');
    assert.equal(nodeScript(['node', '-r', 'x', '--max-old-space-size=8000', '/a/b.js']), '/a/b.js');
    assert.equal(nodeScript(['node', '-e', 'x()']), undefined);
    assert.equal(nodeScript(['node']), undefined);
  });
});

describe('isRunner', () => {
  it('skips shells and wrappers, including hook scripts run by a shell', () => {
    for (const [comm, argv] of [
      ['sh', ['/bin/sh', '-c', 'lockstep hook']],
      ['bash', ['bash', '-c', 'x']],
      ['dash', ['sh', '-c', 'x']],
      ['zsh', ['-zsh']],
      ['fish', ['fish', '-c', 'x']],
      ['timeout', ['timeout', '10', 'lockstep', 'hook']],
      ['nice', ['nice', 'lockstep']],
      ['env', ['/usr/bin/env', 'node']],
      ['lockstep-hook.s', ['/bin/bash', './lockstep-hook.sh']],
      ['npm exec locks', ['npm exec lockstep hook']],
    ] as const) {
      assert.equal(isRunner(proc(comm, [...argv]), ctx), true, `${comm} ${argv.join(' ')}`);
    }
  });
  it('skips node running npm/npx, tsx or lockstep itself', () => {
    assert.equal(isRunner(proc('node', ['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'lockstep', 'hook']), ctx), true);
    assert.equal(isRunner(proc('node', ['node', '/repo/node_modules/.bin/lockstep', 'hook']), ctx), true);
    assert.equal(isRunner(proc('node', ['node', '/opt/lockstep-checkout/dist/cli.js', 'hook']), ctx), true);
    assert.equal(isRunner(proc('node', ['node', '/x/node_modules/tsx/dist/cli.mjs', 'src/cli/cli.ts']), ctx), true);
    // this checkout's own bundle, recognised by its package.json
    assert.equal(isRunner(proc('node', ['node', `${process.cwd()}/dist/hook.js`]), { ownScripts: [] }), true);
  });
  it('stops at agents: claude, codex, gemini, and node running any other script', () => {
    for (const [comm, argv] of [
      ['claude', ['claude']],
      ['claude', ['/home/u/.local/bin/claude', '--continue']],
      ['codex', ['/usr/lib/node_modules/@openai/codex/bin/codex-x86_64-unknown-linux-musl']],
      ['node', ['node', '/usr/lib/node_modules/@google/gemini-cli/dist/index.js']],
      ['node', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js']],
      ['node', ['node', '-e', 'agent()']],
      ['Code Helper', ['/Applications/Visual Studio Code.app/Contents/Code Helper']],
    ] as const) {
      assert.equal(isRunner(proc(comm, [...argv]), ctx), false, `${comm} ${argv.join(' ')}`);
    }
  });
});

describe('processVerdict', { skip: !linux && processPlatform() !== 'darwin' }, () => {
  it('a running process is alive; the same pid with another start time is dead (pid reuse)', () => {
    const self = identifyProcess(process.pid)!;
    assert.ok(ProcessIdentity.safeParse(self).success);
    assert.deepEqual(processVerdict(self), { state: 'alive' });
    const reused = { ...self, startTime: linux ? self.startTime.replace(/\d+$/, (t) => String(Number(t) - 1)) : 'Thu Jan  1 00:00:00 1970' };
    assert.deepEqual(processVerdict(reused), {
      state: 'dead',
      reason: `holder's agent process ${process.pid} ended (pid ${process.pid} now belongs to another process)`,
    });
  });
  it('a reaped process is dead', async () => {
    const child = spawn('sleep', ['30']);
    const identity = identifyProcess(child.pid!)!;
    assert.deepEqual(processVerdict(identity), { state: 'alive' });
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.deepEqual(processVerdict(identity), { state: 'dead', reason: `holder's agent process ${child.pid} ended` });
  });
  it('another host is unknown (only the TTL applies)', () => {
    const self = identifyProcess(process.pid)!;
    assert.deepEqual(processVerdict({ ...self, host: `${os.hostname()}-elsewhere` }), { state: 'unknown' });
  });
  it('Linux: an unreadable start time is unknown, never dead', { skip: !linux }, () => {
    assert.deepEqual(processVerdict({ pid: process.pid, startTime: 'garbage', host: os.hostname() }), { state: 'unknown' });
  });
  it('Linux: another pid namespace is unknown; an earlier boot is dead', { skip: !linux }, () => {
    const self = identifyProcess(process.pid)!;
    const st = parseLinuxStartTime(self.startTime)!;
    assert.deepEqual(processVerdict({ ...self, startTime: `${st.bootId}/1/${st.ticks}` }), { state: 'unknown' });
    const rebooted = processVerdict({ ...self, startTime: `00000000-0000-0000-0000-000000000000/${st.pidNamespace}/${st.ticks}` });
    assert.equal(rebooted.state, 'dead');
  });
});

describe('identifyAgentProcess', { skip: processPlatform() === 'unsupported' }, () => {
  it('LOCKSTEP_AGENT_PID names the agent directly; a stale or bad value falls back to the walk', async () => {
    const walked = identifyAgentProcess({ env: {} });
    const direct = identifyAgentProcess({ env: { LOCKSTEP_AGENT_PID: String(process.pid) } });
    assert.equal(direct?.pid, process.pid);
    assert.equal(direct?.startTime, readProcess(process.pid)?.startTime);
    assert.deepEqual(identifyAgentProcess({ env: { LOCKSTEP_AGENT_PID: String(await reapedPid()) } }), walked);
    assert.deepEqual(identifyAgentProcess({ env: { LOCKSTEP_AGENT_PID: 'abc' } }), walked);
  });
  it('a start pid that does not exist identifies nothing', async () => {
    assert.equal(identifyAgentProcess({ startPid: await reapedPid(), env: {} }), undefined);
  });
  it('reaching init identifies nothing', () => {
    assert.equal(identifyAgentProcess({ startPid: 1, env: {} }), undefined);
  });
});

describe('LivenessMonitor', { skip: processPlatform() === 'unsupported' }, () => {
  it('reports only open sessions whose agent ended on this machine', async () => {
    const alive = identifyProcess(process.pid)!;
    const child = spawn('sleep', ['30']);
    const doomed = identifyProcess(child.pid!)!;
    child.kill('SIGKILL');
    await once(child, 'exit');
    const monitor = new LivenessMonitor();
    const dead = monitor.deadSessions([
      { id: 'claude:alive', process: alive },
      { id: 'codex:dead', process: doomed },
      { id: 'codex:dead-but-already-ended', process: doomed, endedAt: Date.now() },
      { id: 'gemini:no-identity' },
      { id: 'claude:remote', process: { ...doomed, host: 'another-machine' } },
    ]);
    assert.deepEqual(dead, [{ id: 'codex:dead', reason: `holder's agent process ${child.pid} ended` }]);
  });
});
