// The real Claude Code with Lockstep's hooks, driven by the scripted model endpoint.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS } from './agents';
import { makeRealAgentWorld, waitUntil, type RealAgentWorld } from './harness';
import { commonScenarios } from './scenarios';

commonScenarios('claude');

describe('Claude Code sub-agents', { timeout: 120_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: 'command' });
  });
  after(async () => {
    await world?.cleanup();
  });

  test("a sub-agent's (Agent tool) edit is leased and recorded for its parent session", async () => {
    const file = path.join(world.repo.root, 'src/a.ts');
    const run = await world.run('claude', [
      // The parent delegates, and waits for the sub-agent (not in the background).
      { tool: 'Agent', args: { description: 'Edit a.ts', prompt: 'Set a to 7 in src/a.ts.', subagent_type: 'general-purpose', run_in_background: false } },
      // The sub-agent's own loop: one edit, then its report.
      DRIVERS.claude.editTurn(file, 'export const a = 1;', 'export const a = 7;', world.repo.root),
      { say: 'Set a to 7.' },
    ]);
    assert.equal(fs.readFileSync(file, 'utf8'), 'export const a = 7;\n');
    const parent = run.server.mainRequests()[0]!.body as { metadata?: { user_id?: string } };
    const parentId = (JSON.parse(parent.metadata?.user_id ?? '{}') as { session_id?: string }).session_id;
    assert.ok(parentId, 'the parent session id is in the request metadata');
    const st = world.status({ HOME: run.home });
    const edits = st.edits.filter((e) => e.key === 'src/a.ts');
    assert.deepEqual(
      [...new Set(edits.map((e) => e.session))],
      [`claude:${parentId}`],
      `the edit counts for the parent session: ${JSON.stringify(edits)}`,
    );
    assert.equal(st.sessions.filter((s) => s.agent === 'claude').length, 1, 'the sub-agent is no session of its own');
  });
});

describe('Claude Code refusing an edit itself (default permission mode)', { timeout: 120_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: 'command' });
  });
  after(async () => {
    await world?.cleanup();
  });

  test("the lease granted at PreToolUse is released once Claude's permission check refused the edit", async () => {
    const fileA = path.join(world.repo.root, 'src/a.ts');
    // In default mode Claude asks for permission after PreToolUse; headless, no one grants it:
    // PreToolUse, PermissionRequest, no PostToolUse. The turn ends and the session waits for the user.
    const run = await world.start(
      'claude',
      [DRIVERS.claude.editTurn(fileA, 'export const a = 1;', 'export const a = 5;', world.repo.root), { say: 'I could not edit src/a.ts.' }],
      { permissionMode: 'default', conversation: true },
    );
    try {
      run.say('Set a to 5 in src/a.ts.');
      await waitUntil(() => run.stdout().includes('"type":"result"'), "the end of Claude's turn");
      assert.equal(fs.readFileSync(fileA, 'utf8'), 'export const a = 1;\n', 'Claude refused the edit');
      assert.match(run.server.mainRequests()[1]!.text, /permission/i, 'the model was told it lacks permission');
      // The session still runs; src/a.ts must be free for anyone else.
      await waitUntil(() => !world.status().leases.some((l) => l.key === 'src/a.ts' && l.inForce), 'src/a.ts to be released', 10_000).catch(() => undefined);
      const claim = world.lockstep(['claim', 'src/a.ts', '--session', 'human:other'], { allowFail: true });
      assert.equal(claim.status, 0, `src/a.ts is free after the refusal: ${claim.stdout}${claim.stderr}`);
      assert.equal(run.child.exitCode, null, 'the Claude session is still running');
    } finally {
      run.endConversation();
      await run.exited;
    }
  });
});
