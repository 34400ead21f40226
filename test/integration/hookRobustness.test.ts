// Hooks in the places they used to break: a generated hook command run by /bin/sh from paths with
// spaces and quotes, under an Electron-like runtime (desktop VS Code); an agent whose cwd is outside
// every repository editing a leased file by path; and a scheduler-managed session across the agent's
// own SessionEnd (Claude's /clear). Real built CLI, real repositories, real processes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { hookCommandLine, type NodeRuntime } from '../../src/agents/hookCommand';
import { installHooks } from '../../src/agents/hookInstall';
import { ensureLockstepShim } from '../../src/scheduler/lockstepBin';
import { claudeSessionPayload, claudeToolPayload, codexApplyPatchPayload } from '../fixtures/hookPayloads';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
/** The folder holding the repository: outside it, like ~/projects. */
let outside: string;
let scratch: string;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-robust-' });
  outside = path.dirname(repo.root);
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-robust-scratch-')));
});
after(() => {
  repo.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** No inherited variable may select a session, a task, fail-open or Electron's node mode. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['LOCKSTEP_SESSION', 'LOCKSTEP_TASK', 'LOCKSTEP_FAIL_OPEN', 'LOCKSTEP_READ_ONLY', 'ELECTRON_RUN_AS_NODE']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

function parseAnswer(r: { status: number | null; stdout: string; stderr: string }) {
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  return { ...r, out, denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined };
}

function hook(payload: unknown, opts: { agent?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = runCli(['hook', ...(opts.agent ? ['--agent', opts.agent] : [])], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: cleanEnv(opts.env) });
  return parseAnswer(r);
}

function status() {
  const r = spawnSync(process.execPath, [CLI, 'status', '--json'], { cwd: repo.root, encoding: 'utf8', env: cleanEnv() });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// ---------- 1. the generated command line ----------

/** An installation under a path with spaces and quotes: dist/ copied there, node linked there. */
function oddInstallation(): { distDir: string; cliJs: string; node: NodeRuntime; fakeElectron: string } {
  const root = path.join(scratch, `Lock Step's "apps" dir`);
  const distDir = path.join(root, 'dist');
  fs.mkdirSync(distDir, { recursive: true });
  for (const f of ['cli.js', 'hook.js', 'commands.js']) fs.copyFileSync(path.join(path.dirname(CLI), f), path.join(distDir, f));
  const bin = path.join(root, 'node bin');
  fs.mkdirSync(bin);
  const nodeLink = path.join(bin, 'node');
  fs.symlinkSync(process.execPath, nodeLink);
  // Electron's binary runs a script only with ELECTRON_RUN_AS_NODE=1; otherwise it would open a window.
  const fakeElectron = path.join(bin, 'Code Helper (Electron)');
  fs.writeFileSync(
    fakeElectron,
    `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "electron: not in node mode" >&2; exit 70; }\nexec '${process.execPath.replace(/'/g, `'\\''`)}' "$@"\n`,
    { mode: 0o755 },
  );
  return { distDir, cliJs: path.join(distDir, 'cli.js'), node: { execPath: nodeLink, electron: false }, fakeElectron };
}

function runThroughSh(command: string, payload: unknown) {
  return parseAnswer(spawnSync('/bin/sh', ['-c', command], { cwd: os.tmpdir(), input: JSON.stringify(payload), encoding: 'utf8', env: cleanEnv() }));
}

test('the hook command line runs through /bin/sh from paths with spaces and quotes, under node and under Electron', () => {
  const inst = oddInstallation();
  const file = path.join(repo.root, 'README.md');

  const nodeCmd = hookCommandLine('claude', inst.cliJs, inst.node);
  assert.doesNotMatch(nodeCmd, /ELECTRON_RUN_AS_NODE/);
  const held = runThroughSh(nodeCmd, claudeToolPayload('PreToolUse', 'nodehold-1', repo.root, file));
  assert.equal(held.status, 0, held.stderr);
  assert.equal(held.denied, false, held.reason);

  const electron: NodeRuntime = { execPath: inst.fakeElectron, electron: true };
  const electronCmd = hookCommandLine('claude', inst.cliJs, electron);
  assert.match(electronCmd, /ELECTRON_RUN_AS_NODE=1/);
  // The real check ran: another session is denied the file the first one holds.
  const denied = runThroughSh(electronCmd, claudeToolPayload('PreToolUse', 'electron-1', repo.root, file));
  assert.equal(denied.status, 0, denied.stderr);
  assert.equal(denied.denied, true, denied.stdout + denied.stderr);
  assert.match(denied.reason!, /^README\.md is held by claude session nodehold/);

  // Without the variable the fake Electron refuses, as the real one would (the test can fail).
  const asNode = runThroughSh(hookCommandLine('claude', inst.cliJs, { ...electron, electron: false }), claudeToolPayload('PreToolUse', 'electron-1', repo.root, file));
  assert.equal(asNode.status, 70);

  // Cline runs its hook scripts as `exec <command>`: the Electron command must survive exec.
  const cline = installHooks({ agent: 'cline', scope: 'project', repoRoot: repo.root, command: electronCmd });
  const payload = { clineVersion: '3.36.0', timestamp: '1730632845000', taskId: 'task-sh-cline', workspaceRoots: [repo.root], userId: 'u', hookName: 'PreToolUse', preToolUse: { toolName: 'write_to_file', parameters: { path: 'README.md', content: 'x\n' } } };
  const script = spawnSync(path.join(cline.file, 'PreToolUse'), [], { cwd: repo.root, input: JSON.stringify(payload), encoding: 'utf8', env: cleanEnv() });
  assert.equal(script.status, 0, script.stderr);
  const answer = JSON.parse(script.stdout);
  assert.equal(answer.cancel, true, script.stdout);
  assert.match(answer.errorMessage, /README\.md is held by claude session nodehold/);

  // The scheduler's `lockstep` shim, written for Electron, runs the CLI too.
  const shimDir = ensureLockstepShim(path.join(scratch, 'store dir'), inst.distDir, electron)!;
  assert.match(fs.readFileSync(path.join(shimDir, 'lockstep'), 'utf8'), /ELECTRON_RUN_AS_NODE=1/);
  const help = spawnSync(path.join(shimDir, 'lockstep'), ['hook', '--help'], { encoding: 'utf8', env: cleanEnv() });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: lockstep hook/);
});

// ---------- 2. an agent whose cwd is outside every repository ----------

test('an agent started outside the repository is denied a held file named by absolute or relative path', () => {
  const file = path.join(repo.root, 'src', 'a.ts');
  const holder = hook(claudeToolPayload('PreToolUse', 'sess-holder', repo.root, file), { agent: 'claude' });
  assert.equal(holder.denied, false, holder.reason);

  const byAbsolute = hook(claudeToolPayload('PreToolUse', 'sess-outsider', outside, file), { agent: 'claude' });
  assert.equal(byAbsolute.status, 0, byAbsolute.stderr);
  assert.equal(byAbsolute.denied, true, byAbsolute.stdout);
  assert.match(byAbsolute.reason!, /^src\/a\.ts is held by claude session sess-hol/);

  const byRelative = hook(codexApplyPatchPayload('codex-outsider', outside, [`${path.basename(repo.root)}/src/a.ts`]), { agent: 'codex' });
  assert.equal(byRelative.denied, true, byRelative.stdout + byRelative.stderr);
  assert.match(byRelative.reason!, /src\/a\.ts is held by claude session sess-hol/);

  // A new file in a folder that does not exist yet: the repository is found from its deepest existing ancestor, and leased.
  const fresh = path.join(repo.root, 'src', 'new', 'deep', 'x.ts');
  const ok = hook(claudeToolPayload('PreToolUse', 'sess-outsider', outside, fresh), { agent: 'claude' });
  assert.equal(ok.denied, false, ok.reason);
  const st = status();
  assert.equal(st.leases.find((l: any) => l.key === 'src/new/deep/x.ts')?.session, 'claude:sess-outsider');
  assert.equal(st.sessions.find((s: any) => s.id === 'claude:sess-outsider').cwd, outside);

  // Neither cwd nor path in a repository: nothing to coordinate.
  const loose = path.join(scratch, 'notes.txt');
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-outsider', scratch, loose), { agent: 'claude' }).denied, false);
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-outsider', outside, loose), { agent: 'claude' }).denied, false);
});

test('an edit from outside that spans two repositories is denied in one line and leases nothing', () => {
  const other = makeTempRepo({ prefix: 'lockstep-robust-other-' });
  try {
    const files = [path.join(repo.root, 'src', 'b.ts'), path.join(other.root, 'src', 'b.ts')];
    const r = hook(codexApplyPatchPayload('codex-span', path.dirname(other.root), files), { agent: 'codex' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.denied, true, r.stdout);
    assert.match(r.reason!, /spans 2 repositories/);
    assert.ok(!r.reason!.includes('\n'));
    assert.equal(status().leases.find((l: any) => l.key === 'src/b.ts'), undefined);
    assert.equal(fs.readdirSync(path.join(other.root, '.git')).includes('lockstep'), false, 'the other store was not touched');
  } finally {
    other.cleanup();
  }
});

// ---------- 3. a scheduler-managed session across the agent's SessionEnd ----------

test("SessionEnd (Claude's /clear) keeps a LOCKSTEP_SESSION session live with its leases; without it the leases go", () => {
  const managed = { LOCKSTEP_SESSION: 'task:robust-t1', LOCKSTEP_TASK: 'robust-t1' };
  const file = path.join(repo.root, 'src', 'managed.ts');
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-before-clear', repo.root, file), { agent: 'claude', env: managed }).denied, false);

  const end = hook(claudeSessionPayload('SessionEnd', 'sess-before-clear', repo.root, { reason: 'clear' }), { agent: 'claude', env: managed });
  assert.equal(end.status, 0, end.stderr);
  let st = status();
  const session = st.sessions.find((s: any) => s.id === 'task:robust-t1');
  assert.equal(session.endedAt, undefined, 'the scheduler-managed session is still live');
  assert.equal(st.leases.find((l: any) => l.key === 'src/managed.ts')?.session, 'task:robust-t1');
  const other = hook(claudeToolPayload('PreToolUse', 'sess-intruder', repo.root, file), { agent: 'claude' });
  assert.equal(other.denied, true, other.stdout);
  // After /clear the agent goes on under a new Claude session id, still as the same Lockstep session.
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-after-clear', repo.root, file), { agent: 'claude', env: managed }).denied, false);

  // An agent's own session: SessionEnd ends it and frees its leases.
  const own = path.join(repo.root, 'src', 'own.ts');
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-own', repo.root, own), { agent: 'claude' }).denied, false);
  assert.equal(hook(claudeSessionPayload('SessionEnd', 'sess-own', repo.root, { reason: 'prompt_input_exit' }), { agent: 'claude' }).status, 0);
  st = status();
  assert.ok(st.sessions.find((s: any) => s.id === 'claude:sess-own').endedAt > 0);
  assert.equal(st.leases.find((l: any) => l.key === 'src/own.ts'), undefined);
});
