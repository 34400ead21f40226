// A person overriding locks from the editor: a force release names the lease the user confirmed,
// so a key that changed hands meanwhile is not taken from its new holder; ending a session
// releases its leases. Real server process, real hook processes, real repository.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';

function preEdit(sessionId: string, cwd: string, rel: string, agentPid: number, env: NodeJS.ProcessEnv): boolean {
  const payload = claudeToolPayload('PreToolUse', sessionId, cwd, path.join(cwd, rel), { transcriptPath: path.join(os.tmpdir(), `${sessionId}.jsonl`) });
  const r = runCli(['hook'], { cwd, input: JSON.stringify(payload), env: { ...env, LOCKSTEP_AGENT_PID: String(agentPid) } });
  assert.equal(r.status, 0, r.stderr);
  return !r.stdout.includes('"deny"');
}

describe('overriding locks from the editor', () => {
  let repo: TempRepo;
  let server: ServerHandle;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const agents: ChildProcess[] = [];
  const agent = () => {
    const p = spawn('sleep', ['600'], { stdio: 'ignore' });
    agents.push(p);
    return p.pid!;
  };
  before(async () => {
    ensureBuilt();
    repo = makeTempRepo({ files: { 'src/a.ts': 'a\n', 'src/b.ts': 'b\n', 'src/build/plan.ts': 'p\n' } });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
    env = { CLAUDE_CONFIG_DIR: path.join(home, 'claude'), CODEX_HOME: path.join(home, 'codex'), HOME: home };
    server = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  });
  after(async () => {
    await server.stop();
    for (const a of agents) a.kill('SIGKILL');
    repo.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a force release confirmed for one holder does not take the key from a newer holder', async () => {
    const first = agent();
    assert.equal(preEdit('first', repo.root, 'src/a.ts', first, env), true);
    const seen = await server.waitFor('first holds src/a.ts', (s) => s.leases.some((l) => l.key === 'src/a.ts' && l.session === 'claude:first'));
    const confirmed = seen.leases.find((l) => l.key === 'src/a.ts')!.fence;
    // While the user reads the confirmation, the first agent ends and a second takes the file.
    assert.equal(runCli(['release', '--all', '--session', 'claude:first'], { cwd: repo.root, env: { ...env, LOCKSTEP_AGENT_PID: String(first) } }).status, 0);
    const second = agent();
    assert.equal(preEdit('second', repo.root, 'src/a.ts', second, env), true);
    const r = await server.request('forceRelease', { key: 'src/a.ts', reason: 'stuck', expectFence: confirmed });
    assert.deepEqual(r, { key: 'src/a.ts', released: false, changedHands: true, holder: 'claude:second' });
    assert.equal(preEdit('third', repo.root, 'src/a.ts', agent(), env), false, 'the second agent still holds it');
    // Confirmed for the current holder: released.
    const now = (await server.request('getSnapshot', {})).leases.find((l) => l.key === 'src/a.ts')!;
    const r2 = await server.request('forceRelease', { key: 'src/a.ts', reason: 'stuck', expectFence: now.fence });
    assert.equal(r2.released, true);
    assert.equal(r2.holder, 'claude:second');
  });

  it('ending a session releases every lease it holds', async () => {
    assert.equal(preEdit('ender', repo.root, 'src/b.ts', agent(), env), true);
    await server.waitFor('ender holds src/b.ts', (s) => s.leases.some((l) => l.session === 'claude:ender'));
    const r = await server.request('endSession', { session: 'claude:ender', reason: 'done' });
    assert.deepEqual(r, { ended: true, released: ['src/b.ts'] });
    const s = await server.waitFor('ender ended', (x) => x.sessions.some((y) => y.id === 'claude:ender' && !y.live));
    assert.match(s.sessions.find((y) => y.id === 'claude:ender')!.endReason ?? '', /ended by vscode:tester: done/);
    assert.deepEqual(await server.request('endSession', { session: 'claude:ender', reason: 'again' }), { ended: false, released: [] });
  });

  it('a shell write in a tracked folder named like build output (src/build) is seen live', async () => {
    fs.appendFileSync(path.join(repo.root, 'src/build/plan.ts'), '// shell\n');
    const s = await server.waitFor('src/build/plan.ts as an unleased edit', (x) => x.unleased.some((u) => u.key === 'src/build/plan.ts'));
    assert.equal(s.unleased.find((u) => u.key === 'src/build/plan.ts')!.change, 'modified');
  });
});
