// The coordinator process: restarted after it is killed (and the state flows again), restarted by
// Restart Coordinator, and, after crashing repeatedly, left stopped: then every command that needs it
// says so and offers Show Log and Restart Coordinator, and the restart brings it back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { activate, claim, contributedCommands, fileUri, isAlive, release, runCommand, waitFor } from '../../support/lockstep';
import { UiStub } from '../../support/ui';

const NOT_RUNNING = /^Lockstep: the coordinator is not running/;

describe('the coordinator process', () => {
  const ui = new UiStub();
  let api: LockstepTestApi;

  const runningPid = () => waitFor('the coordinator to run', async () => (api.serverState() === 'running' ? api.coordinatorPid() : undefined), (p) => p !== undefined, 60_000) as Promise<number>;

  before(async () => {
    api = await activate();
    ui.install();
    await runningPid();
  });
  after(() => {
    ui.restore();
    release('codex:bob');
  });

  it('comes back by itself after its process is killed, with the current state', async () => {
    const pid = await runningPid();
    process.kill(pid, 'SIGKILL');
    const next = await waitFor('a new coordinator process', async () => api.coordinatorPid(), (p) => p !== undefined && p !== pid, 60_000);
    assert.ok(isAlive(next!));
    assert.equal(api.serverState(), 'running');
    claim('codex:bob', 'src/a.ts');
    await waitFor('the held badge after the restart', async () => api.fileDecoration(fileUri('src/a.ts')), (d) => d?.badge === 'L');
  });

  it('Restart Coordinator replaces the process', async () => {
    const pid = await runningPid();
    await runCommand('lockstep.restartServer');
    assert.equal(api.serverState(), 'running');
    const next = api.coordinatorPid();
    assert.ok(next && next !== pid && isAlive(next));
    await waitFor('the old coordinator to exit', async () => isAlive(pid), (alive) => !alive);
    await waitFor('the state after the restart', async () => api.fileDecoration(fileUri('src/a.ts')), (d) => d?.badge === 'L');
  });

  it('stays stopped after crashing repeatedly; commands say so and offer a restart that works', async () => {
    // vscode-languageclient restarts a crashed server 4 times within 3 minutes, then gives up and says so.
    // (While it restarts, the state is briefly 'stopped' too: only that message tells the two apart.)
    const gaveUp = () => ui.messages.some((m) => m.kind === 'error' && /will not be restarted/.test(m.text));
    for (let kills = 0; !gaveUp(); kills++) {
      assert.ok(kills < 8, 'the coordinator was still restarted after 8 kills');
      const pid = (await waitFor('a coordinator to kill', async () => api.coordinatorPid(), (p) => p !== undefined, 60_000))!;
      process.kill(pid, 'SIGKILL');
      await waitFor('a restart or giving up', async () => gaveUp() || (api.coordinatorPid() ?? pid) !== pid, Boolean, 60_000);
    }
    await waitFor('the stopped state', async () => api.serverState(), (s) => s === 'stopped');
    assert.equal(api.serverState(), 'stopped');
    assert.equal(api.coordinatorPid(), undefined);

    ui.answer = () => undefined; // dismiss
    const notRunning: string[] = [];
    for (const id of contributedCommands()) {
      if (id === 'lockstep.restartServer') continue; // would end this state; tested below through the offer
      const from = ui.messages.length;
      await runCommand(id);
      const errors = ui.since(from).filter((m) => m.kind === 'error');
      for (const e of errors) {
        assert.match(e.text, NOT_RUNNING, `${id} showed another error`);
        assert.deepEqual(e.buttons, ['Show Log', 'Restart Coordinator']);
      }
      if (errors.length) notRunning.push(id);
    }
    for (const id of ['lockstep.claimFile', 'lockstep.releaseFile', 'lockstep.doctor', 'lockstep.installHooks']) {
      assert.ok(notRunning.includes(id), `${id} said the coordinator is not running (those that did: ${notRunning.join(', ')})`);
    }

    ui.answer = (m) => (NOT_RUNNING.test(m.text) ? 'Restart Coordinator' : undefined);
    await runCommand('lockstep.doctor');
    assert.equal(api.serverState(), 'running');
    assert.ok(isAlive(api.coordinatorPid()!));
    await waitFor('the state after the restart', async () => api.fileDecoration(fileUri('src/a.ts')), (d) => d?.badge === 'L');
  });
});
