// The sub-agent cap through a real agent's own sub-agent tool, driven by the scripted model: with
// `lockstep config --subagents-per-session 0`, Copilot CLI's `task` tool is denied by Lockstep's
// preToolUse hook before any sub-agent starts, and the model is told why; likewise Gemini CLI's
// invoke_agent and Claude Code's Agent tool (command and mcp_tool hooks), with the hooks as installed.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RealAgentName } from './agents';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';
import type { Turn } from './modelServer';

/** With the cap at 0, `agent`'s sub-agent tool call `spawn` is denied before any sub-agent starts; its model hears why. */
function capScenario(label: string, agent: RealAgentName, transport: 'command' | 'mcp', spawn: Turn): void {
  describe(`sub-agent spawns through ${label}`, { timeout: 180_000 }, () => {
    let world: RealAgentWorld;
    before(() => {
      world = makeRealAgentWorld({ hooksFor: [agent], hookTransport: transport });
      world.lockstep(['config', '--subagents-per-session', '0']);
    });
    after(async () => {
      await world?.cleanup();
    });

    test(`${label}: the sub-agent tool past the cap is denied before the sub-agent starts; the model hears the reason`, async () => {
      const run = await world.run(agent, [spawn, { say: 'The sub-agent was not started.' }]);
      // A sub-agent would ask the model itself (and take the next turn): only the parent's two turns came.
      const main = run.server.mainRequests();
      assert.equal(main.length, 2, `the parent's two turns and no sub-agent's: ${main.map((r) => r.turn).join(', ')}`);
      assert.match(main[1]!.text, /Lockstep: sub-agent not started: this session already runs 0 sub-agents \(lockstep config --subagents-per-session\)/);
    });
  });
}

capScenario("Copilot CLI's task tool", 'copilot', 'command', { tool: 'task', args: { name: 'probe', description: 'Explore the repository', prompt: 'List every file under src.', agent_type: 'explore', mode: 'sync' } });
capScenario("Gemini CLI's invoke_agent", 'gemini', 'command', { tool: 'invoke_agent', args: { agent_name: 'codebase_investigator', prompt: 'List every file under src.' } });
for (const transport of ['command', 'mcp'] as const) {
  capScenario(`Claude Code's Agent tool (${transport} hooks)`, 'claude', transport, { tool: 'Agent', args: { description: 'List files', prompt: 'List every file under src.', subagent_type: 'general-purpose', run_in_background: false } });
}
