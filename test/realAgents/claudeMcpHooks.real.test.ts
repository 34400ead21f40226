// The real Claude Code with `lockstep hooks install --agent claude --transport mcp`: its tool-call
// hooks are mcp_tool handlers answered by the `lockstep mcp` server Claude Code runs for the
// session (no process per event), and they fail closed when that server is not there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS } from './agents';
import { gate, makeRealAgentWorld, type RealAgentWorld } from './harness';

const A0 = 'export const a = 1;';
const B0 = 'export const b = 2;';

/** Claude Code's debug log lines of one run (the harness runs it with --debug). */
function debugLog(home: string): string {
  const dir = path.join(home, '.claude', 'debug');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n') : '';
}

describe('Claude Code with mcp_tool hooks (lockstep hooks install --transport mcp)', { timeout: 240_000 }, () => {
  let world: RealAgentWorld;
  const held = gate();
  const read = (f: string) => fs.readFileSync(f, 'utf8');
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
