// The coordinator server as a real process over stdio, on real repositories with real hook
// processes: sessions and leases pushed to the client, shell writes as unleased edits, dead agents
// ended, the user's claims, LSP diagnostics/hover, every declared request answered, bad params.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { coordinatorRequests, type CoordinatorRequestName } from '../../src/protocol/coordinatorMethods';
import { matrixRequests } from '../../src/protocol/matrixMethods';
import { memoryRequests } from '../../src/protocol/memoryMethods';
import { schedulerRequests } from '../../src/protocol/schedulerMethods';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';

/** JSON-RPC's answer to a method without a handler. */
const METHOD_NOT_FOUND = -32601;

/** A stand-in for an agent process: the hook pins the session's identity to it (LOCKSTEP_AGENT_PID). */
function fakeAgent(): ChildProcess {
  return spawn('sleep', ['600'], { stdio: 'ignore' });
}

/** Claude Code's PreToolUse of Edit; the transcript path points nowhere the server follows. */
function claudePreEdit(sessionId: string, cwd: string, file: string) {
  return claudeToolPayload('PreToolUse', sessionId, cwd, file, { transcriptPath: path.join(os.tmpdir(), `${sessionId}.jsonl`) });
}

function hook(payload: object, agent: ChildProcess, env: NodeJS.ProcessEnv) {
  const r = runCli(['hook'], { cwd: (payload as { cwd: string }).cwd, input: JSON.stringify(payload), env: { ...env, LOCKSTEP_AGENT_PID: String(agent.pid) } });
  assert.equal(r.status, 0, `hook exit ${r.status}: ${r.stderr}`);
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } }) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason ?? '' };
}

describe('coordinator server', () => {
  let repo: TempRepo;
  let wtA: string;
  let wtB: string;
  let server: ServerHandle;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const agents: ChildProcess[] = [];

  before(async () => {
    ensureBuilt();
    repo = makeTempRepo({ files: { 'README.md': '# r\n', 'src/a.ts': 'a\n', 'src/b.ts': 'b\n', 'src/c.ts': 'c\n' } });
    wtA = repo.addWorktree('wt-a', 'task-a');
    wtB = repo.addWorktree('wt-b', 'task-b');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
    env = { CLAUDE_CONFIG_DIR: path.join(home, 'claude'), CODEX_HOME: path.join(home, 'codex'), HOME: home };
    server = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: true } });
  });

  after(async () => {
    await server?.stop();
    for (const a of agents) a.kill('SIGKILL');
    repo?.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers initialize with the repository and pushes a first snapshot', async () => {
    assert.equal(server.info.repo?.root, repo.root);
    assert.equal(server.info.userSession, 'vscode:tester');
    const s = await server.waitFor('three worktrees', (x) => x.worktrees.length === 3);
    assert.deepEqual(s.worktrees.map((w) => w.path).sort(), [repo.root, wtA, wtB].sort());
    assert.equal(s.worktrees.find((w) => w.path === wtA)?.branch, 'task-a');
  });

  it('declares a handler for every request (each answers its example params with a valid result)', async () => {
    assert.deepEqual(server.info.methods.sort(), Object.values(coordinatorRequests).map((r) => r.type.method).sort());
    for (const name of Object.keys(coordinatorRequests) as CoordinatorRequestName[]) {
      const spec = coordinatorRequests[name];
      const result = await server.request(name, spec.example as never);
      const parsed = spec.result.safeParse(result);
      assert.ok(parsed.success, `${spec.type.method} result does not match its schema: ${JSON.stringify(result).slice(0, 200)}`);
    }
    // The smoke calls claimed and released README.md and installed the Claude hook in the repository.
    assert.ok(fs.existsSync(path.join(repo.root, '.claude', 'settings.json')));
    const snap = await server.request('getSnapshot', undefined);
    assert.ok(!snap.leases.some((l) => l.key === 'README.md'));

    // The scheduler's and the matrix's requests: each must reach a handler. A missing one answers
    // MethodNotFound; any other answer (a result matching the schema, or an error of the handler
    // itself, e.g. "no task api") proves it is registered. Run against a server of its own
    // repository: addTask & co. write a plan file there, which must not leak into the tests below.
    const declared: { method: string; example: unknown; result: { safeParse(v: unknown): { success: boolean } } }[] = [
      ...Object.values(schedulerRequests).map((r) => ({ method: r.type.method, example: r.example, result: r.result })),
      ...Object.values(matrixRequests).map((r) => ({ method: r.method, example: r.example, result: r.result })),
      ...Object.values(memoryRequests).map((r) => ({ method: r.type.method, example: r.example, result: r.result })),
    ];
    assert.equal(declared.length, Object.keys(schedulerRequests).length + Object.keys(matrixRequests).length + Object.keys(memoryRequests).length);
    const other = makeTempRepo({ prefix: 'lockstep-methods-' });
    const otherServer = await startServer({ root: other.root, env });
    try {
      const call = async (method: string, params: unknown) => {
        try {
          return { result: await otherServer.conn.sendRequest(method, params) };
        } catch (e) {
          return { error: e as { code?: number; message?: string } };
        }
      };
      // The check can fail: an undeclared method is MethodNotFound.
      const missing = await call('lockstep/noSuchMethod', {});
      assert.equal(missing.error?.code, METHOD_NOT_FOUND);
      for (const { method, example, result } of declared) {
        const answer = await call(method, example);
        if (answer.error) {
          assert.notEqual(answer.error.code, METHOD_NOT_FOUND, `${method} has no handler: ${answer.error.message}`);
          assert.equal(typeof answer.error.code, 'number', `${method}: ${String(answer.error)}`);
          assert.match(answer.error.message ?? '', new RegExp(`^${method}: `), `${method} answers errors in one line naming itself`);
        } else {
          assert.ok(result.safeParse(answer.result).success, `${method} result does not match its schema: ${JSON.stringify(answer.result).slice(0, 200)}`);
        }
      }
    } finally {
      await otherServer.stop();
      other.cleanup();
    }
  });

  it('pushes sessions and leases of real hook processes in two worktrees, and ends dead agents', async () => {
    const agentA = fakeAgent();
    const agentB = fakeAgent();
    agents.push(agentA, agentB);
    assert.equal(hook(claudePreEdit('sess-a', wtA, path.join(wtA, 'src/a.ts')), agentA, env).denied, false);
    assert.equal(hook(claudePreEdit('sess-b', wtB, path.join(wtB, 'src/b.ts')), agentB, env).denied, false);
    let s = await server.waitFor('both sessions and leases', (x) =>
      x.leases.some((l) => l.key === 'src/a.ts' && l.session === 'claude:sess-a') && x.leases.some((l) => l.key === 'src/b.ts' && l.session === 'claude:sess-b'),
    );
    const sa = s.sessions.find((x) => x.id === 'claude:sess-a');
    assert.equal(sa?.worktree, wtA);
    assert.equal(sa?.live, true);
    assert.deepEqual(sa?.sources, ['hook']);
    assert.equal(sa?.pid, agentA.pid);
    assert.equal(s.sessions.find((x) => x.id === 'claude:sess-b')?.worktree, wtB);

    // Same logical file from the other worktree: denied.
    const denied = hook(claudePreEdit('sess-b', wtB, path.join(wtB, 'src/a.ts')), agentB, env);
    assert.equal(denied.denied, true);
    assert.match(denied.reason, /src\/a\.ts is held by claude session sess-a/);

    // The agent writes its leased file: its edit (source worktree), not an unleased one.
    fs.writeFileSync(path.join(wtA, 'src/a.ts'), 'edited by a\n');
    s = await server.waitFor('src/a.ts as claude:sess-a edit', (x) =>
      x.edits.some((e) => e.key === 'src/a.ts' && e.session === 'claude:sess-a' && e.worktree === wtA && e.sources.includes('worktree')),
    );
    assert.ok(!s.unleased.some((u) => u.key === 'src/a.ts' && u.worktree === wtA));

    // Diagnostics and hover on a document of another worktree holding the same key.
    const uri = pathToFileURL(path.join(wtB, 'src/a.ts')).href;
    await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: 'a\n' } });
    await server.waitFor('a diagnostic on src/a.ts', () => (server.diagnostics.get(uri) ?? []).length > 0);
    assert.match(server.diagnostics.get(uri)![0]!.message, /^Held by claude session sess-a, 1[45] more minutes$/);
    const hover = (await server.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })) as {
      contents: { value: string };
    } | null;
    assert.match(hover?.contents.value ?? '', /Held by claude session sess-a/);
    // Toggled off by the client: the diagnostic is withdrawn.
    await server.conn.sendNotification('lockstep/clientOptions', { diagnostics: false });
    await server.waitFor('diagnostic withdrawn', () => (server.diagnostics.get(uri) ?? []).length === 0);
    await server.conn.sendNotification('lockstep/clientOptions', { diagnostics: true });

    // The agent process exits: its session ends and its lease is freed, with the reason.
    agentA.kill('SIGKILL');
    s = await server.waitFor('claude:sess-a ended', (x) => x.sessions.some((y) => y.id === 'claude:sess-a' && !y.live) && !x.leases.some((l) => l.key === 'src/a.ts'));
    assert.match(s.sessions.find((x) => x.id === 'claude:sess-a')?.endReason ?? '', /ended/);
    const journal = fs.readFileSync(path.join(repo.root, '.git', 'lockstep', 'journal.jsonl'), 'utf8');
    assert.match(journal, /"op":"session-end","session":"claude:sess-a","reason":"[^"]*ended/);
    // With nobody holding it any more, the uncommitted file is an unleased edit that names its author.
    s = await server.waitFor('src/a.ts unleased in wt-a', (x) => x.unleased.some((u) => u.key === 'src/a.ts' && u.worktree === wtA));
    await server.waitFor('diagnostic cleared after the lease ended', () => (server.diagnostics.get(uri) ?? []).length === 0);
  });

  it('shows a shell write (no hook) as an unleased edit of its worktree', async () => {
    fs.writeFileSync(path.join(wtB, 'README.md'), '# changed through the shell\n');
    fs.mkdirSync(path.join(wtB, 'new', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(wtB, 'new', 'deep', 'file.txt'), 'new\n');
    const s = await server.waitFor('README.md and new/deep/file.txt unleased in wt-b', (x) =>
      x.unleased.some((u) => u.key === 'README.md' && u.worktree === wtB) && x.unleased.some((u) => u.key === 'new/deep/file.txt' && u.worktree === wtB),
    );
    const readme = s.unleased.find((u) => u.key === 'README.md' && u.worktree === wtB)!;
    assert.equal(readme.change, 'modified');
    assert.ok(readme.worktreeSessions.includes('claude:sess-b'), 'the session working in wt-b is named as the likely author');
    assert.equal(s.unleased.find((u) => u.key === 'new/deep/file.txt')?.change, 'untracked');
    assert.equal(s.worktrees.find((w) => w.path === wtB)?.changedFiles, 2);
    // Ignored folders stay out of it.
    fs.mkdirSync(path.join(wtB, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(wtB, 'node_modules', 'x', 'index.js'), '');
    fs.writeFileSync(path.join(wtB, '.gitignore'), 'node_modules/\n');
    await server.waitFor('.gitignore unleased', (x) => x.unleased.some((u) => u.key === '.gitignore' && u.worktree === wtB));
    assert.ok(!server.state()!.unleased.some((u) => u.key.startsWith('node_modules')));
  });

  it("the user's claim is denied to every agent, until released", async () => {
    const agentC = fakeAgent();
    agents.push(agentC);
    const claim = await server.request('claim', { paths: [path.join(wtA, 'src/c.ts')], ttlSeconds: 600 });
    assert.equal(claim.ok, true);
    await server.waitFor('src/c.ts leased by vscode:tester', (x) => x.leases.some((l) => l.key === 'src/c.ts' && l.session === 'vscode:tester'));
    const denied = hook(claudePreEdit('sess-c', wtA, path.join(wtA, 'src/c.ts')), agentC, env);
    assert.equal(denied.denied, true);
    assert.match(denied.reason, /held by the user \(vscode:tester\)/);
    // A claim on a file an agent holds is denied with the holder named; nothing changes.
    const clash = await server.request('claim', { paths: ['src/b.ts', 'src/c.ts'] });
    assert.equal(clash.ok, false);
    assert.deepEqual(clash.ok === false && clash.denials.map((d) => [d.key, d.holder]), [['src/b.ts', 'claude:sess-b']]);

    const rel = await server.request('release', { paths: ['src/c.ts', 'src/b.ts'] });
    assert.deepEqual(rel, { released: ['src/c.ts'], notHeld: ['src/b.ts'] });
    await server.waitFor('src/c.ts free', (x) => !x.leases.some((l) => l.key === 'src/c.ts'));
    assert.equal(hook(claudePreEdit('sess-c', wtA, path.join(wtA, 'src/c.ts')), agentC, env).denied, false);

    // Force release of an agent's lease, with the reason in the journal.
    const forced = await server.request('forceRelease', { key: 'src/c.ts', reason: 'needed it now' });
    assert.deepEqual(forced, { key: 'src/c.ts', released: true, holder: 'claude:sess-c' });
    const journal = fs.readFileSync(path.join(repo.root, '.git', 'lockstep', 'journal.jsonl'), 'utf8');
    assert.match(journal, /force-released by vscode:tester: needed it now/);
  });

  it('setConfig writes the store config and pushes it', async () => {
    const cfg = await server.request('setConfig', { ttlSeconds: 120, scopePolicy: 'warn' });
    assert.deepEqual(cfg, { ttlSeconds: 120, failOpen: false, scopePolicy: 'warn' });
    await server.waitFor('config in state', (x) => x.config.ttlSeconds === 120 && x.config.scopePolicy === 'warn');
    const onDisk = JSON.parse(fs.readFileSync(path.join(repo.root, '.git', 'lockstep', 'config.json'), 'utf8'));
    assert.deepEqual(onDisk, { ttlSeconds: 120, scopePolicy: 'warn' });
  });

  it('answers invalid params with a one-line error naming the field, and changes nothing', async () => {
    const before = await server.request('getSnapshot', {});
    const cases: [CoordinatorRequestName, unknown, RegExp][] = [
      ['claim', { paths: 'src/a.ts' }, /^lockstep\/claim: paths: Expected array, received string$/],
      ['claim', { paths: [] }, /^lockstep\/claim: paths: /],
      ['claim', { paths: ['src/a.ts'], ttlSeconds: -1 }, /^lockstep\/claim: ttlSeconds: /],
      ['claim', { paths: ['../outside.txt'] }, /^lockstep\/claim: paths\.0: .*escapes/],
      ['claim', { paths: ['.git/config'] }, /^lockstep\/claim: paths\.0: .*\.git/],
      ['release', { paths: ['src/a.ts'], extra: 1 }, /^lockstep\/release: params: Unrecognized key/],
      ['forceRelease', { key: 'src/a.ts' }, /^lockstep\/forceRelease: reason: Required$/],
      ['installHooks', { agent: 'nobody', scope: 'project' }, /^lockstep\/installHooks: agent: /],
      ['setConfig', {}, /^lockstep\/setConfig: params: give at least one/],
      ['setConfig', { scopePolicy: 'sometimes' }, /^lockstep\/setConfig: scopePolicy: /],
      ['getSnapshot', { unexpected: true }, /^lockstep\/getSnapshot: params: Unrecognized key/],
    ];
    for (const [name, params, pattern] of cases) {
      await assert.rejects(server.request(name, params as never), (e: Error & { code?: number }) => {
        assert.equal(e.code, -32602, `${name} ${JSON.stringify(params)}: code`);
        assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
        assert.match(e.message, pattern);
        return true;
      });
    }
    const afterSnap = await server.request('getSnapshot', {});
    assert.deepEqual(afterSnap.leases, before.leases);
    assert.equal(fs.existsSync(path.join(repo.root, 'outside.txt')), false);
  });
});

describe('coordinator server outside a repository, and through the CLI', () => {
  it('stays idle outside a git repository and says so', async () => {
    ensureBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-norepo-'));
    const server = await startServer({ root: dir });
    try {
      assert.equal(server.info.repo, null);
      assert.match(server.info.reason ?? '', /not inside a git repository/);
      await assert.rejects(server.request('getSnapshot', {}), (e: Error & { code?: number }) => {
        assert.equal(e.code, -32001);
        assert.match(e.message, /^lockstep\/getSnapshot: Lockstep is idle: .*not inside a git repository$/);
        return true;
      });
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as `lockstep serve --stdio`', async () => {
    ensureBuilt();
    const repo = makeTempRepo();
    const server = await startServer({ root: repo.root, viaCli: true, env: { CLAUDE_CONFIG_DIR: path.join(repo.root, '..', 'c'), CODEX_HOME: path.join(repo.root, '..', 'x') } });
    try {
      const s = await server.waitFor('first snapshot', (x) => x.worktrees.length === 1);
      assert.equal(s.repo.root, repo.root);
      const status = await server.request('getStatusText', {});
      assert.match(status.text, /^Lockstep: 0 agents · 0 locks/);
    } finally {
      await server.stop();
      repo.cleanup();
    }
  });
});
