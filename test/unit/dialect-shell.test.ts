// Every agent's shell tool payload, as the agents send it, read into an edit of the files the
// command writes; and payloads Lockstep has no say in are never refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAUDE_HOOK_MATCHER, CLAUDE_SUBAGENT_TOOLS, claudeDialect } from '../../src/agents/claude';
import { clineDialect } from '../../src/agents/cline';
import { CODEX_HOOK_MATCHER, codexDialect } from '../../src/agents/codex';
import { copilotDialect } from '../../src/agents/copilot';
import { cursorDialect } from '../../src/agents/cursor';
import { HookInputError, type Dialect } from '../../src/agents/dialect';
import { GEMINI_HOOK_MATCHER, GEMINI_SUBAGENT_TOOLS, geminiDialect } from '../../src/agents/gemini';
import { SUBAGENT_TOOLS } from '../../src/cli/hookSpawnGate';
import { vscodeDialect } from '../../src/agents/vscodeAgent';
import { windsurfDialect } from '../../src/agents/windsurf';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';

const CWD = '/home/dev/shop';
const WRITE = 'echo x >> src/b.ts';

function shellEdit(dialect: Dialect, payload: Record<string, unknown>) {
  const e = dialect.parse(payload);
  return { kind: e.kind, paths: e.paths, fromShell: e.fromShell, note: e.note, tool: e.tool, quiet: e.quiet };
}

describe('shell tools: each agent payload shape', () => {
  it('Claude Bash {command}: a pre-edit of the files written, post-edit after; nothing written → other', () => {
    const pre = mutate(loadPayload('claude', 'pre-bash'), { 'tool_input.command': WRITE });
    assert.deepEqual(shellEdit(claudeDialect, pre), { kind: 'pre-edit', paths: [`${CWD}/src/b.ts`], fromShell: true, note: undefined, tool: 'Bash', quiet: undefined });
    assert.equal(claudeDialect.parse(mutate(pre, { hook_event_name: 'PostToolUse' })).kind, 'post-edit');
    const none = claudeDialect.parse(loadPayload('claude', 'pre-bash'));
    assert.deepEqual([none.kind, none.quiet], ['other', true], 'answered without the store');
  });
  it('Codex Bash {command} (every shell tool is presented so), an argv array, a workdir', () => {
    const bash = mutate(loadPayload('codex', 'pre-bash'), { 'tool_input.command': WRITE });
    assert.deepEqual(shellEdit(codexDialect, bash).paths, [`${CWD}/src/b.ts`]);
    const argv = mutate(bash, { tool_name: 'shell', 'tool_input.command': ['bash', '-lc', 'rm src/old.ts'], 'tool_input.workdir': 'pkg' });
    assert.deepEqual(shellEdit(codexDialect, argv).paths, [`${CWD}/pkg/src/old.ts`]);
    const patchArgv = mutate(bash, { tool_name: 'shell', 'tool_input.command': ['apply_patch', '*** Begin Patch\n*** Add File: n.ts\n+x\n*** End Patch\n'] });
    assert.deepEqual(shellEdit(codexDialect, patchArgv).paths, [`${CWD}/n.ts`]);
    for (const tool of ['shell', 'exec_command', 'local_shell']) assert.equal(codexDialect.parse(mutate(bash, { tool_name: tool, 'tool_input.command': ['bash', '-lc', 'ls'] })).kind, 'other');
  });
  it('Codex: a patch piped in a form the reader does not follow still names its files', () => {
    const text = `apply_patch "$(cat <<'EOF'\n*** Begin Patch\n*** Update File: src/cart.ts\n@@\n-a (\n+b\n*** End Patch\nEOF\n)"`;
    assert.deepEqual(shellEdit(codexDialect, mutate(loadPayload('codex', 'pre-bash'), { 'tool_input.command': text })).paths, [`${CWD}/src/cart.ts`]);
  });
  it('Gemini run_shell_command {command, dir_path}', () => {
    const p = mutate(loadPayload('gemini', 'before-shell'), { 'tool_input.command': WRITE });
    assert.deepEqual(shellEdit(geminiDialect, p), { kind: 'pre-edit', paths: [`${CWD}/src/b.ts`], fromShell: true, note: undefined, tool: 'run_shell_command', quiet: undefined });
    assert.deepEqual(geminiDialect.parse(mutate(p, { 'tool_input.dir_path': 'web' })).paths, [`${CWD}/web/src/b.ts`]);
    assert.equal(geminiDialect.parse(mutate(p, { hook_event_name: 'AfterTool' })).kind, 'post-edit');
    assert.equal(geminiDialect.parse(loadPayload('gemini', 'before-shell')).kind, 'other');
  });
  it('Copilot CLI bash: toolArgs as a JSON string or an object, and the snake_case payload', () => {
    const p = loadPayload('copilot', 'pre-bash');
    assert.deepEqual(shellEdit(copilotDialect, mutate(p, { toolArgs: JSON.stringify({ command: WRITE }) })).paths, [`${CWD}/src/b.ts`]);
    assert.deepEqual(shellEdit(copilotDialect, mutate(p, { toolArgs: { command: WRITE } })).paths, [`${CWD}/src/b.ts`]);
    const snake = mutate(loadPayload('copilot', 'pre-edit-vscode-compatible'), { tool_name: 'bash', tool_input: { command: WRITE } });
    assert.equal(copilotDialect.parse(snake).kind, 'pre-edit');
  });
  it('VS Code run_in_terminal {command}', () => {
    const p = mutate(loadPayload('vscode', 'pre-run-in-terminal'), { 'tool_input.command': WRITE });
    assert.deepEqual(shellEdit(vscodeDialect, p).paths, [`${CWD}/src/b.ts`]);
    assert.equal(vscodeDialect.parse(loadPayload('vscode', 'pre-run-in-terminal')).kind, 'other');
  });
  it('Cursor beforeShellExecution {command, cwd} and preToolUse Shell; a deny answers {permission: deny}', () => {
    const p = mutate(loadPayload('cursor', 'before-shell'), { command: WRITE });
    const e = cursorDialect.parse(p);
    assert.deepEqual([e.kind, e.paths], ['pre-edit', [`${CWD}/src/b.ts`]]);
    assert.equal(JSON.parse(cursorDialect.answer(e, { kind: 'deny', reason: 'held' }).stdout).permission, 'deny');
    assert.deepEqual(cursorDialect.parse(mutate(loadPayload('cursor', 'pre-tool-shell'), { 'tool_input.command': WRITE })).paths, [`${CWD}/src/b.ts`]);
    assert.equal(cursorDialect.parse(loadPayload('cursor', 'before-shell')).kind, 'other');
  });
  it('Cline execute_command and Windsurf pre_run_command (deny by exit 2)', () => {
    assert.deepEqual(clineDialect.parse(mutate(loadPayload('cline', 'pre-execute-command'), { 'preToolUse.parameters.command': WRITE })).paths, [`${CWD}/src/b.ts`]);
    const w = windsurfDialect.parse(mutate(loadPayload('windsurf', 'pre-run-command'), { 'tool_info.command_line': WRITE }));
    assert.deepEqual([w.kind, w.paths], ['pre-edit', [`${CWD}/src/b.ts`]]);
    assert.equal(windsurfDialect.answer(w, { kind: 'deny', reason: 'held' }).exitCode, 2);
  });
  it("the installed matchers include each agent's shell tool and its sub-agent tool (the spawn cap's hook)", () => {
    for (const tool of [...CLAUDE_SUBAGENT_TOOLS, ...GEMINI_SUBAGENT_TOOLS]) assert.ok(SUBAGENT_TOOLS.has(tool), `${tool} is not gated`);
    assert.equal(CLAUDE_HOOK_MATCHER, 'Edit|Write|MultiEdit|NotebookEdit|Bash|Task|Agent');
    assert.equal(CODEX_HOOK_MATCHER, 'apply_patch|Bash');
    assert.equal(GEMINI_HOOK_MATCHER, 'write_file|replace|run_shell_command|invoke_agent|delegate_to_agent');
  });
});

describe('Copilot CLI apply_patch with GPT-5 models: toolArgs is the raw patch', () => {
  it('a pre-edit of every file the patch names (leased all or none)', () => {
    const e = copilotDialect.parse(loadPayload('copilot', 'pre-apply-patch-raw'));
    assert.deepEqual([e.kind, e.tool, e.paths], ['pre-edit', 'apply_patch', ['src/api.ts', 'src/flags.ts']]);
    assert.equal(e.sessionId, '5e0c2b7a-93d4-4f1e-8a6b-1c2d3e4f5a6b');
  });
  it('also as JSON {input} (text or object), and after the call', () => {
    const raw = String(loadPayload('copilot', 'pre-apply-patch-raw').toolArgs);
    for (const toolArgs of [JSON.stringify({ input: raw }), { input: raw }, JSON.stringify(raw)]) {
      assert.deepEqual(copilotDialect.parse(mutate(loadPayload('copilot', 'pre-apply-patch-raw'), { toolArgs })).paths, ['src/api.ts', 'src/flags.ts']);
    }
    assert.equal(copilotDialect.parse(mutate(loadPayload('copilot', 'pre-apply-patch-raw'), { toolResult: { resultType: 'success' } })).kind, 'post-edit');
  });
  it('a patch naming no file is refused with a deny that says so (the model sees the reason)', () => {
    const p = mutate(loadPayload('copilot', 'pre-apply-patch-raw'), { toolArgs: 'not a patch' });
    assert.throws(() => copilotDialect.parse(p), (e: unknown) => e instanceof HookInputError && /toolArgs names no file/.test(e.message));
    const ans = copilotDialect.refusal!('copilot preToolUse: toolArgs names no file');
    assert.equal(ans.exitCode, 0);
    assert.match(JSON.parse(ans.stdout).permissionDecisionReason, /^Lockstep could not read this tool call: .*names no file/);
  });
});

describe('payloads Lockstep has no say in pass, with a note at most', () => {
  it('Copilot: unknown tools and view with arguments that are not JSON', () => {
    for (const toolName of ['grep', 'web_fetch', 'view', 'task']) {
      const e = copilotDialect.parse(mutate(loadPayload('copilot', 'pre-edit'), { toolName, toolArgs: '{not json' }));
      assert.equal(e.kind, 'other', toolName);
    }
  });
  it('Copilot bash with toolArgs that are not JSON: let through with a note', () => {
    const e = copilotDialect.parse(mutate(loadPayload('copilot', 'pre-bash'), { toolArgs: 'rm -rf /' }));
    assert.equal(e.kind, 'other');
    assert.match(e.note ?? '', /not JSON; let through unchecked/);
  });
  it('shell tools with an input missing its command: let through with a note, every agent', () => {
    const cases: [Dialect, Record<string, unknown>][] = [
      [claudeDialect, mutate(loadPayload('claude', 'pre-bash'), { tool_input: { description: 'x' } })],
      [claudeDialect, mutate(loadPayload('claude', 'pre-bash'), { tool_input: 'npm test' })],
      [codexDialect, mutate(loadPayload('codex', 'pre-bash'), { 'tool_input.command': 42 })],
      [geminiDialect, mutate(loadPayload('gemini', 'before-shell'), { tool_input: undefined })],
      [vscodeDialect, mutate(loadPayload('vscode', 'pre-run-in-terminal'), { tool_input: null })],
      [cursorDialect, mutate(loadPayload('cursor', 'before-shell'), { command: undefined })],
      [clineDialect, mutate(loadPayload('cline', 'pre-execute-command'), { 'preToolUse.parameters': 'npm test' })],
    ];
    for (const [dialect, payload] of cases) {
      const e = dialect.parse(payload);
      assert.equal(e.kind, 'other', dialect.name);
      assert.match(e.note ?? '', /let through unchecked/, dialect.name);
    }
  });
  it('other tools with an odd or missing tool_input are not refused', () => {
    assert.equal(claudeDialect.parse(mutate(loadPayload('claude', 'pre-read'), { tool_input: undefined })).kind, 'other');
    assert.equal(geminiDialect.parse(mutate(loadPayload('gemini', 'before-read'), { tool_input: 'x' })).kind, 'other');
    assert.equal(vscodeDialect.parse(mutate(loadPayload('vscode', 'pre-read-file'), { tool_input: [1] })).kind, 'other');
    assert.equal(vscodeDialect.parse(mutate(loadPayload('vscode', 'pre-read-file'), { tool_name: 'future_tool', tool_input: 'x' })).kind, 'other');
    assert.equal(clineDialect.parse(mutate(loadPayload('cline', 'pre-read-file'), { 'preToolUse.parameters': undefined })).kind, 'other');
  });
  it('a malformed edit call is still refused, naming the field', () => {
    assert.throws(() => claudeDialect.parse(mutate(loadPayload('claude', 'pre-edit'), { tool_input: undefined })), /claude PreToolUse: tool_input must be an object \(missing\)/);
    assert.throws(() => vscodeDialect.parse(mutate(loadPayload('vscode', 'pre-create-file'), { tool_input: 'x' })), /tool_input must be an object/);
    const ans = clineDialect.refusal!('cline PreToolUse: preToolUse.parameters.path must be a string (missing)');
    assert.deepEqual(JSON.parse(ans.stdout), { cancel: true, errorMessage: 'Lockstep could not read this hook call: cline PreToolUse: preToolUse.parameters.path must be a string (missing)' });
  });
});
