// The real Claude Code with `lockstep hooks install --agent claude --transport mcp`: its tool-call
// hooks are mcp_tool handlers answered by the `lockstep mcp` server Claude Code runs for the
// session (no process per event), and they fail closed when that server is not there. Then the
// default install (no --transport) with Claude Code on PATH, in an interactive session in a
// terminal: the server is pre-approved, so the session never stops to ask.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/cli';
import { DRIVERS } from './agents';
import { gate, makeRealAgentWorld, waitUntil, type RealAgentWorld } from './harness';

const A0 = 'export const a = 1;';
const B0 = 'export const b = 2;';

/** Claude Code's debug log lines of one run (the harness runs it with --debug). */
function debugLog(home: string): string {
  const dir = path.join(home, '.claude', 'debug');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n') : '';
}

const read = (f: string) => fs.readFileSync(f, 'utf8');

describe('Claude Code with mcp_tool hooks (lockstep hooks install --transport mcp)', { timeout: 240_000 }, () => {
  let world: RealAgentWorld;
  const held = gate();
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: 'mcp' });
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test('a free edit is allowed and recorded; a held file is denied and the model reads why; both answered by the MCP server', async () => {
    const root = world.repo.root;
    const settings = JSON.parse(read(path.join(root, '.claude', 'settings.json')));
    assert.equal(settings.hooks.PreToolUse[0].hooks[0].type, 'mcp_tool', JSON.stringify(settings.hooks.PreToolUse));
    const fileA = path.join(root, 'src/a.ts');
    const fileB = path.join(root, 'src/b.ts');
    const run = await world.run('claude', [DRIVERS.claude.editTurn(fileA, A0, 'export const a = 10;', root), DRIVERS.claude.editTurn(fileB, B0, 'export const b = 20;', root)]);
    assert.equal(read(fileA), 'export const a = 10;\n');
    assert.equal(read(fileB), `${B0}\n`, 'the held file is unchanged');
    const st = world.status({ HOME: run.home });
    // Leased at PreToolUse, recorded at PostToolUse (the session's end released the lease since).
    const edit = st.edits.find((e) => e.key === 'src/a.ts' && e.source === 'hook');
    assert.match(edit?.session ?? '', /^claude:/, JSON.stringify(st.edits));
    const journal = world.lockstep(['journal', '--json']).stdout;
    assert.ok(journal.split('\n').some((l) => l.includes('"src/a.ts"') && l.includes(edit!.session) && /"grant|acquire/.test(l)), journal);
    const afterDenied = run.server.mainRequests()[2]!.text;
    assert.match(afterDenied, /src\/b\.ts is held by the user \(human:other\)/, 'the denial reason reaches the model');
    const log = debugLog(run.home);
    assert.ok((log.match(/mcp_tool calling lockstep\/hook_decide/g) ?? []).length >= 3, 'PreToolUse and PostToolUse went to the MCP server');
  });

  test("a scheduler-started session (LOCKSTEP_SESSION) reaches the MCP server too: the lease is the scheduler's session's", async () => {
    const root = world.repo.root;
    const file = path.join(root, 'src/a.ts');
    const before = read(file).trimEnd();
    const run = await world.start('claude', [DRIVERS.claude.editTurn(file, before, 'export const a = 40;', root), { say: 'Waiting.', hold: held.promise }], {
      env: { LOCKSTEP_SESSION: 'claude:sched-task-1', LOCKSTEP_TASK: 'api' },
    });
    try {
      await run.server.reached(1);
      assert.equal(read(file), 'export const a = 40;\n');
      const lease = world.status().leases.find((l) => l.key === 'src/a.ts' && l.inForce);
      assert.equal(lease?.session, 'claude:sched-task-1', JSON.stringify(world.status().leases));
    } finally {
      held.open();
      await run.exited;
    }
  });

  test('with the MCP server down, an edit is blocked and the model is told why', async () => {
    const root = world.repo.root;
    const fileA = path.join(root, 'src/a.ts');
    const before = read(fileA);
    const mcpJson = path.join(root, '.mcp.json');
    const saved = read(mcpJson);
    // The registered server cannot start (Lockstep moved away, say).
    const broken = JSON.parse(saved);
    broken.mcpServers.lockstep = { type: 'stdio', command: path.join(path.dirname(root), 'gone', 'lockstep'), args: ['mcp'] };
    fs.writeFileSync(mcpJson, JSON.stringify(broken, null, 2));
    try {
      const run = await world.run('claude', [DRIVERS.claude.editTurn(fileA, before.trimEnd(), 'export const a = 30;', root)]);
      assert.equal(read(fileA), before, 'the edit was blocked');
      const requests = run.server.mainRequests();
      assert.ok(requests.length >= 2, `${run.exit.stdout}\n${debugLog(run.home).split('\n').filter((l) => /hook|mcp/i.test(l)).join('\n')}`);
      const told = requests[1]!.text;
      // The edit's tool result says the hook blocked it and why.
      assert.match(told, /PreToolUse:Edit hook error: \[lockstep\/hook_decide\]: failed; blocking.*?MCP server 'lockstep' not connected","is_error":true/, told.slice(-3000));
    } finally {
      fs.writeFileSync(mcpJson, saved);
    }
  });
});

/** The terminal's text without escape sequences and blanks (an interactive screen moves the cursor instead of printing spaces). */
const screenText = (out: string) => out.replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '').replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]/g, '').replace(/\x1b[@-_]/g, '').replace(/\s+/g, '');

describe('Claude Code by default (lockstep hooks install --agent claude, no --transport): a new interactive session edits through mcp_tool hooks, nothing to approve', { timeout: 240_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    // The install finds this Claude Code on PATH (2.1.328) and so chooses mcp_tool hooks.
    const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin');
    world = makeRealAgentWorld({ hooksFor: ['claude'], installEnv: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test('the pre-approved server starts without the question; a free edit goes through the mcp_tool hook, a held file is denied with the reason reaching the model', async () => {
    const root = world.repo.root;
    const settings = JSON.parse(read(path.join(root, '.claude', 'settings.json')));
    assert.deepEqual([settings.hooks.PreToolUse[0].hooks[0].type, settings.hooks.PreToolUse[0].hooks[0].onFailure], ['mcp_tool', 'block']);
    assert.deepEqual(JSON.parse(read(path.join(root, '.claude', 'settings.local.json'))).enabledMcpjsonServers, ['lockstep']);
    const fileA = path.join(root, 'src/a.ts');
    const fileB = path.join(root, 'src/b.ts');
    const run = await world.start('claude', [DRIVERS.claude.editTurn(fileA, A0, 'export const a = 10;', root), DRIVERS.claude.editTurn(fileB, B0, 'export const b = 20;', root)], { tty: true });
    try {
      // The model's third request: the one after the denied edit (the session then waits for the user).
      await waitUntil(() => run.server.mainRequests().length >= 3 || run.child.exitCode !== null, 'the model asked after both edits', 90_000);
      assert.equal(run.child.exitCode, null, `claude ended early: ${screenText(run.stdout()).slice(-1500)}`);
      assert.equal(read(fileA), 'export const a = 10;\n');
      assert.equal(read(fileB), `${B0}\n`, 'the held file is unchanged');
      assert.match(run.server.mainRequests()[2]!.text, /src\/b\.ts is held by the user \(human:other\)/, 'the denial reason reaches the model');
      const log = debugLog(run.home);
      assert.match(log, /MCP server "lockstep": Successfully connected/);
      const decided = log.split('\n').filter((l) => /mcp_tool calling lockstep\/hook_decide/.test(l)).length;
      assert.ok(decided >= 4, `UserPromptSubmit, both PreToolUse and PostToolUse went to the MCP server (${decided})`);
      assert.doesNotMatch(screenText(run.stdout()), /NewMCPserverfound/);
      // Leased at PreToolUse by the session Claude Code named in the mcp_tool call.
      const edit = world.status().edits.find((e) => e.key === 'src/a.ts' && e.source === 'hook');
      assert.match(edit?.session ?? '', /^claude:/, JSON.stringify(world.status().edits));
    } finally {
      run.kill9();
      await run.exited;
    }
  });

  test('without the pre-approval (the control): Claude Code stops on "New MCP server found" and the model is never asked', async () => {
    const root = world.repo.root;
    const local = path.join(root, '.claude', 'settings.local.json');
    const saved = read(local);
    fs.rmSync(local);
    const run = await world.start('claude', [DRIVERS.claude.editTurn(path.join(root, 'src/a.ts'), 'export const a = 10;', 'export const a = 50;', root)], { tty: true });
    try {
      const until = Date.now() + 60_000;
      while (!/NewMCPserverfoundinthisproject:lockstep/.test(screenText(run.stdout()))) {
        if (Date.now() > until) assert.fail(`no approval question: ${screenText(run.stdout()).slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(run.server.mainRequests().length, 0, 'the session waits for the answer');
      assert.equal(read(path.join(root, 'src/a.ts')), 'export const a = 10;\n');
    } finally {
      run.kill9();
      await run.exited;
      fs.writeFileSync(local, saved);
    }
  });
});
