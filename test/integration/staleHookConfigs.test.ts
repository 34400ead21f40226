// The stale-hook story (#19) for every agent's installed hook configuration, including the agents whose
// real CLI cannot run here (Cursor, Windsurf, Cline, VS Code's agent; the real Claude Code, Codex,
// Gemini CLI and Copilot CLI runs are test/realAgents/staleHook.real.test.ts): `lockstep hooks install`
// writes each file with a copy of the built Lockstep, that copy is moved away (an update, a removed
// extension, a moved checkout), and the pre-edit command each file holds is run the way its agent
// runs it, with that agent's own pre-edit payload. Each must block in the form its agent reads as a
// block (exit 2 with the reason on stderr; Copilot CLI a denial on stdout), never exit 0 silently;
// a session start goes on; and `lockstep doctor` names every file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

const AGENTS = ['claude', 'codex', 'gemini', 'copilot', 'cursor', 'cline', 'windsurf'] as const;

let repo: TempRepo;
let base: string;
let installed: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-stalehooks-', files: { 'src/api.ts': 'export const limit = 10;\n' } });
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-stalehooks-home-')));
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  installed = path.join(base, 'lockstep-0.1.0');
  fs.cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(installed, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.vsix') });
  fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(installed, 'package.json'));
  env = { ...process.env, HOME: home, LOCKSTEP_HOME: '', CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', COPILOT_HOME: '', GEMINI_CLI_TRUSTED_FOLDERS_PATH: '', LOCKSTEP_FAIL_OPEN: '', LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' };
  for (const agent of AGENTS) {
    const r = spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), 'hooks', 'install', '--agent', agent, '--transport', 'command'], { cwd: repo.root, env, encoding: 'utf8' });
    assert.equal(r.status, 0, `${agent}: ${r.stderr}`);
  }
  fs.renameSync(installed, `${installed}-moved`);
});
after(() => {
  repo?.cleanup();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** The command lines Lockstep wrote for `event` in a JSON hooks file (grouped or flat, `command` or `bash`). */
function commandsFor(file: string, event: string): string[] {
  const list = (JSON.parse(fs.readFileSync(path.join(repo.root, file), 'utf8')).hooks?.[event] ?? []) as Array<Record<string, unknown>>;
  const handlers = list.flatMap((e) => (Array.isArray(e.hooks) ? (e.hooks as Array<Record<string, unknown>>) : [e]));
  return handlers.map((h) => (h.command ?? h.bash) as string).filter((c) => typeof c === 'string' && c.startsWith('LOCKSTEP_HOOK=1 '));
}

/** Runs one installed hook as its agent does: a command line through the shell, or Cline's script file. */
function runAs(how: { shell: string; command: string } | { script: string }, payload: unknown) {
  const [cmd, args] = 'script' in how ? [how.script, []] : [how.shell, ['-c', how.command]];
  return spawnSync(cmd, args, { cwd: repo.root, env, input: JSON.stringify(payload), encoding: 'utf8', timeout: 30_000 });
}

const file = 'src/api.ts';
const REASON = /lockstep hook: Lockstep is no longer at [^\n]*lockstep-0\.1\.0\/dist\/cli\.js [^\n]*so the hook blocks; run: lockstep doctor/;

/** Each agent's pre-edit hook: where it is installed, how the agent runs it, and its payload for an edit of src/api.ts. */
function preEdits(): Array<{ name: string; how: { shell: string; command: string } | { script: string }; payload: unknown; blocks: 'exit 2' | 'stdout deny' }> {
  const abs = path.join(repo.root, file);
  const one = (f: string, event: string) => {
    const c = commandsFor(f, event);
    assert.equal(c.length, 1, `${f} ${event}: one Lockstep command`);
    return c[0]!;
  };
  return [
    { name: 'claude', how: { shell: '/bin/sh', command: one('.claude/settings.json', 'PreToolUse') }, payload: mutate(loadPayload('claude', 'pre-edit'), { cwd: repo.root, 'tool_input.file_path': abs }), blocks: 'exit 2' },
    { name: 'codex', how: { shell: '/bin/sh', command: one('.codex/hooks.json', 'PreToolUse') }, payload: mutate(loadPayload('codex', 'pre-apply-patch'), { cwd: repo.root }), blocks: 'exit 2' },
    { name: 'gemini', how: { shell: '/bin/sh', command: one('.gemini/settings.json', 'BeforeTool') }, payload: mutate(loadPayload('gemini', 'before-write-file'), { cwd: repo.root, 'tool_input.file_path': abs }), blocks: 'exit 2' },
    { name: 'copilot CLI', how: { shell: 'bash', command: one('.github/hooks/lockstep.json', 'preToolUse') }, payload: mutate(loadPayload('copilot', 'pre-edit'), { cwd: repo.root }), blocks: 'stdout deny' },
    { name: "VS Code's agent", how: { shell: 'bash', command: one('.github/hooks/lockstep.json', 'preToolUse') }, payload: mutate(loadPayload('vscode', 'pre-replace-string'), { cwd: repo.root, 'tool_input.filePath': abs }), blocks: 'exit 2' },
    { name: 'cursor', how: { shell: '/bin/sh', command: one('.cursor/hooks.json', 'preToolUse') }, payload: mutate(loadPayload('cursor', 'pre-tool-edit'), { cwd: repo.root, workspace_roots: [repo.root] }), blocks: 'exit 2' },
    { name: 'cursor shell', how: { shell: '/bin/sh', command: one('.cursor/hooks.json', 'beforeShellExecution') }, payload: mutate(loadPayload('cursor', 'before-shell'), { cwd: repo.root, workspace_roots: [repo.root] }), blocks: 'exit 2' },
    { name: 'windsurf', how: { shell: '/bin/sh', command: one('.windsurf/hooks.json', 'pre_write_code') }, payload: mutate(loadPayload('windsurf', 'pre-write-code'), { 'tool_info.file_path': abs }), blocks: 'exit 2' },
    { name: 'cline', how: { script: path.join(repo.root, '.clinerules', 'hooks', 'PreToolUse') }, payload: mutate(loadPayload('cline', 'pre-write-to-file'), { workspaceRoots: [repo.root], 'preToolUse.parameters.path': file }), blocks: 'exit 2' },
  ];
}

test("every agent's installed pre-edit hook blocks with the reason once the Lockstep it ran is moved away", () => {
  for (const p of preEdits()) {
    const r = runAs(p.how, p.payload);
    if (p.blocks === 'exit 2') {
      assert.equal(r.status, 2, `${p.name}: blocks (exit 2), not a silent pass; stderr: ${r.stderr}`);
      assert.match(r.stderr, REASON, p.name);
      assert.equal(r.stdout, '', p.name);
    } else {
      // Copilot CLI shows its model only "exited with code 2": the denial and its reason go on stdout.
      assert.equal(r.status, 0, `${p.name}: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { permissionDecision: string; permissionDecisionReason: string };
      assert.equal(out.permissionDecision, 'deny', p.name);
      assert.match(out.permissionDecisionReason, REASON, p.name);
    }
  }
  assert.equal(fs.readFileSync(path.join(repo.root, file), 'utf8'), 'export const limit = 10;\n');
});

test('a session start still goes on (the model hears why at its first tool call), for the agents that have one', () => {
  const starts: Array<[string, { shell: string; command: string } | { script: string }, unknown]> = [
    ['claude', { shell: '/bin/sh', command: commandsFor('.claude/settings.json', 'SessionStart')[0]! }, mutate(loadPayload('claude', 'session-start'), { cwd: repo.root })],
    ['cursor', { shell: '/bin/sh', command: commandsFor('.cursor/hooks.json', 'sessionStart')[0]! }, mutate(loadPayload('cursor', 'session-start'), { workspace_roots: [repo.root] })],
    ['cline', { script: path.join(repo.root, '.clinerules', 'hooks', 'TaskStart') }, mutate(loadPayload('cline', 'task-start'), { workspaceRoots: [repo.root] })],
  ];
  for (const [name, how, payload] of starts) {
    const r = runAs(how, payload);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /Lockstep is no longer at .*; tool calls are blocked until it is fixed/, name);
  }
});

test('lockstep doctor names every agent whose installed hooks would not run Lockstep, with the file', () => {
  const doctor = runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env });
  assert.equal(doctor.status, 1, doctor.stdout);
  const hooks = JSON.parse(doctor.stdout).hooks as Array<{ agent: string; scope: string; file: string; ok: boolean; problems: string[] }>;
  const broken = hooks.filter((h) => h.scope === 'project' && !h.ok && h.problems.some((p) => /would not run Lockstep: lockstep hook: Lockstep is no longer at /.test(p)));
  assert.deepEqual(broken.map((h) => h.agent).sort(), [...AGENTS].sort());
  for (const h of broken) assert.ok(h.file.startsWith(repo.root), `${h.agent}: ${h.file}`);
});
