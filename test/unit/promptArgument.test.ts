// A task's prompt reaches its agent as text, never as an option: a prompt beginning with '-'
// (`--dangerously-skip-permissions`) must not become a flag of claude, codex, gemini, copilot…
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlan } from '../../src/core/planFile';
import { AgentTemplateError, BUILTIN_TEMPLATES, expandTemplate } from '../../src/scheduler/agentTemplates';

const PROMPT = '--dangerously-skip-permissions';

test('every built-in template passes a dash prompt after -- or joined to its option', () => {
  for (const [agent, modes] of Object.entries(BUILTIN_TEMPLATES)) {
    for (const [mode, template] of Object.entries(modes)) {
      const argv = expandTemplate(template, { prompt: PROMPT, promptFile: '/tmp/p.md' });
      const at = argv.findIndex((a) => a === PROMPT || a.endsWith(`=${PROMPT}`));
      assert.ok(at > 0, `${agent} ${mode}: prompt missing in ${JSON.stringify(argv)}`);
      const joined = argv[at] !== PROMPT;
      const afterEndOfOptions = argv.indexOf('--') >= 0 && argv.indexOf('--') < at;
      assert.ok(joined || afterEndOfOptions, `${agent} ${mode}: ${JSON.stringify(argv)} passes the prompt where it reads as an option`);
      if (joined) assert.match(argv[at]!, /^--[a-z-]+=/, `${agent} ${mode}`);
    }
  }
});

test("a plan's own template that would pass a dash prompt as an option is refused with the fix", () => {
  assert.throws(
    () => expandTemplate(['node', 'agent.js', '{prompt}'], { prompt: '-rf', promptFile: '/p' }),
    (e: Error) => e instanceof AgentTemplateError && /begins with '-'.*put "--" before "\{prompt\}"/.test(e.message),
  );
  assert.deepEqual(expandTemplate(['node', 'agent.js', '--', '{prompt}'], { prompt: '-rf', promptFile: '/p' }), ['node', 'agent.js', '--', '-rf']);
  assert.deepEqual(expandTemplate(['agent', '--prompt={prompt}'], { prompt: '-rf', promptFile: '/p' }), ['agent', '--prompt=-rf']);
  assert.deepEqual(expandTemplate(['node', 'agent.js', '{prompt}'], { prompt: 'fix -rf', promptFile: '/p' }), ['node', 'agent.js', 'fix -rf']);
});

test('plans accept --option={prompt} templates', () => {
  const plan = parsePlan('agents:\n  g: [gemini, "--prompt={prompt}"]\ntasks:\n  - {id: a, title: A, prompt: "-x", agent: g, scope: [x]}\n');
  assert.deepEqual(plan.agents.g, ['gemini', '--prompt={prompt}']);
});
