// Shell writes and patches through the real agents' own tools: Claude Code's Bash, a patch Codex's
// model pipes through its shell, Gemini CLI's run_shell_command, Copilot CLI's bash, and Copilot CLI's
// freeform apply_patch (GPT-5 Codex models send the raw patch as toolArgs). The user holds src/b.ts;
// the model must be told why each write was refused.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

const B0 = 'export const b = 2;\n';
const HELD_REASON = /src\/b\.ts is held by the user \(human:other\)/;

describe('shell writes and patches through the real agents', { timeout: 300_000 }, () => {
  let world: RealAgentWorld;
  const file = (rel: string) => path.join(world.repo.root, rel);
  const read = (rel: string) => fs.readFileSync(file(rel), 'utf8');
  /** The text of the request that carried the result of the model's first tool call. */
  const afterFirstTool = (run: { server: { mainRequests(): { text: string }[] } }) => run.server.mainRequests()[1]?.text ?? '';

  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude', 'codex', 'gemini', 'copilot'], hookTransport: 'command' });
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test('Claude Code: Bash `echo x >> src/b.ts` is denied with the reason; the file is unchanged', async () => {
    const run = await world.run('claude', [{ tool: 'Bash', args: { command: 'echo x >> src/b.ts', description: 'Append to b' } }]);
    assert.equal(read('src/b.ts'), B0);
    assert.match(afterFirstTool(run), HELD_REASON, 'the model was told the user holds src/b.ts');
  });

  test("Codex: a patch piped through the shell (`apply_patch <<'EOF'`) into the held file is denied with the reason", async () => {
    const patch = "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: src/b.ts\n@@\n-export const b = 2;\n+export const b = 3;\n*** End Patch\nEOF\n";
    const run = await world.run('codex', [{ tool: 'exec_command', args: { cmd: patch } }]);
    assert.equal(read('src/b.ts'), B0);
    assert.match(afterFirstTool(run), HELD_REASON, 'the model was told the user holds src/b.ts');
  });

  test('Gemini CLI: run_shell_command `echo x >> src/b.ts` is denied with the reason; the file is unchanged', async () => {
    // --yolo: headless Gemini runs shell commands only when nothing has to be approved.
    const yolo = (args: string[]) => [...args.filter((a, i) => a !== '--approval-mode' && args[i - 1] !== '--approval-mode'), '--approval-mode', 'yolo'];
    const run = await world.run('gemini', [{ tool: 'run_shell_command', args: { command: 'echo x >> src/b.ts', description: 'Append to b' } }], { args: yolo });
    assert.equal(read('src/b.ts'), B0);
    assert.match(afterFirstTool(run), HELD_REASON, 'the model was told the user holds src/b.ts');
  });

  test('Copilot CLI: bash `echo x >> src/b.ts` is denied with the reason; the file is unchanged', async () => {
    const run = await world.run('copilot', [{ tool: 'bash', args: { command: 'echo x >> src/b.ts', description: 'Append to b' } }]);
    assert.equal(read('src/b.ts'), B0);
    assert.match(afterFirstTool(run), HELD_REASON, 'the model was told the user holds src/b.ts');
  });

  test('Copilot CLI with a GPT-5 Codex model: apply_patch (raw patch toolArgs) on a free file is allowed, on the held file denied with the reason', async () => {
    const gpt5 = { env: { COPILOT_MODEL: 'gpt-5.1-codex', COPILOT_PROVIDER_WIRE_API: 'responses' } };
    const patch = (rel: string, from: string, to: string) => `*** Begin Patch\n*** Update File: ${rel}\n@@\n-${from}\n+${to}\n*** End Patch\n`;
    const free = await world.run('copilot', [{ tool: 'apply_patch', args: patch('src/a.ts', 'export const a = 1;', 'export const a = 5;') }], gpt5);
    assert.equal(read('src/a.ts'), 'export const a = 5;\n', `the free file was patched: ${free.exit.stdout.slice(-500)}`);
    const held = await world.run('copilot', [{ tool: 'apply_patch', args: patch('src/b.ts', 'export const b = 2;', 'export const b = 7;') }], gpt5);
    assert.equal(read('src/b.ts'), B0);
    assert.match(afterFirstTool(held), HELD_REASON, 'the model was told the user holds src/b.ts');
  });
});
