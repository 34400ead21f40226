// The sub-agent cap through a real agent's own sub-agent tool, driven by the scripted model: with
// `lockstep config --subagents-per-session 0`, Copilot CLI's `task` tool is denied by Lockstep's
// preToolUse hook before any sub-agent starts, and the model is told why; likewise Gemini CLI's
// invoke_agent and Claude Code's Agent tool (command and mcp_tool hooks), with the hooks as installed.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

describe('sub-agent spawns through a real agent', { timeout: 180_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['copilot'], hookTransport: 'command' });
    world.lockstep(['config', '--subagents-per-session', '0']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test("Copilot CLI's task tool past the cap is denied before the sub-agent starts; the model hears the reason", async () => {
    const run = await world.run('copilot', [
      { tool: 'task', args: { name: 'probe', description: 'Explore the repository', prompt: 'List every file under src.', agent_type: 'explore', mode: 'sync' } },
      { say: 'The sub-agent was not started.' },
    ]);
    // A sub-agent would ask the model itself (and take the next turn): only the parent's two turns came.
    const main = run.server.mainRequests();
    assert.equal(main.length, 2, `the parent's two turns and no sub-agent's: ${main.map((r) => r.turn).join(', ')}`);
    assert.match(main[1]!.text, /Lockstep: sub-agent not started: this session already runs 0 sub-agents \(lockstep config --subagents-per-session\)/);
  });
});

describe('sub-agent spawns through Gemini CLI', { timeout: 180_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['gemini'], hookTransport: 'command' });
    world.lockstep(['config', '--subagents-per-session', '0']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test("Gemini CLI's invoke_agent past the cap is denied before the sub-agent starts; the model hears the reason", async () => {
    const run = await world.run('gemini', [
      { tool: 'invoke_agent', args: { agent_name: 'codebase_investigator', prompt: 'List every file under src.' } },
      { say: 'The sub-agent was not started.' },
    ]);
    const main = run.server.mainRequests();
    assert.equal(main.length, 2, `the parent's two turns and no sub-agent's: ${main.map((r) => r.turn).join(', ')}`);
    assert.match(main[1]!.text, /Lockstep: sub-agent not started: this session already runs 0 sub-agents \(lockstep config --subagents-per-session\)/);
  });
});

for (const transport of ['command', 'mcp'] as const) {
  describe(`sub-agent spawns through Claude Code (${transport} hooks)`, { timeout: 180_000 }, () => {
    let world: RealAgentWorld;
    before(() => {
      world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: transport });
      world.lockstep(['config', '--subagents-per-session', '0']);
    });
    after(async () => {
      await world?.cleanup();
    });

    test("Claude Code's Agent tool past the cap is denied before the sub-agent starts; the model hears the reason", async () => {
      const run = await world.run('claude', [
        { tool: 'Agent', args: { description: 'List files', prompt: 'List every file under src.', subagent_type: 'general-purpose', run_in_background: false } },
        { say: 'The sub-agent was not started.' },
      ]);
      const main = run.server.mainRequests();
      assert.equal(main.length, 2, `the parent's two turns and no sub-agent's: ${main.map((r) => r.turn).join(', ')}`);
      assert.match(main[1]!.text, /Lockstep: sub-agent not started: this session already runs 0 sub-agents \(lockstep config --subagents-per-session\)/);
    });
  });
}
