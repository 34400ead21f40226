// Shell writes to held files are denied before they run: the built `lockstep hook` with each
// agent's real shell tool payload, in a real repository where another session holds src/b.ts.
// The "agent" runs the command through bash only when the hook lets it, as the agents do.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeBashPayload, codexBashPayload } from '../fixtures/hookPayloads';
import { loadPayload, mutate } from '../fixtures/payloads/loadPayload';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { openEmbeddedStore } from '../../src/store/embeddedStore';

let repo: TempRepo;
const HELD = 'src/b.ts';
const HELD_TEXT = 'export const b = 2;\n';
const CLEAN_ENV = { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '', LOCKSTEP_READ_ONLY: '' };

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-shell-' });
  const claim = runCli(['claim', HELD, '--session', 'human:other'], { cwd: repo.root });
  assert.equal(claim.status, 0, claim.stderr);
});
after(() => repo.cleanup());

interface Verdict {
  status: number | null;
  denied: boolean;
  reason: string;
  stderr: string;
}

/** Runs the hook on a payload and reads the decision in whichever protocol the answer speaks. */
function hook(payload: unknown, env: NodeJS.ProcessEnv = {}): Verdict {
  const r = runCli(['hook'], { cwd: repo.root, input: JSON.stringify(payload), env: { ...CLEAN_ENV, ...env } });
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  const reason: string | undefined =
    out.hookSpecificOutput?.permissionDecision === 'deny' ? out.hookSpecificOutput.permissionDecisionReason
    : out.decision === 'deny' ? out.reason
    : out.permissionDecision === 'deny' ? out.permissionDecisionReason
    : out.permission === 'deny' ? out.agent_message
    : r.status === 2 ? r.stderr
    : undefined;
  return { status: r.status, denied: reason !== undefined, reason: reason ?? '', stderr: r.stderr };
}

/** What an agent does with a shell call: ask the hook, run the command only if allowed, report after. */
function agentRuns(pre: Record<string, unknown>, post: Record<string, unknown> | undefined, command: string, env: NodeJS.ProcessEnv = {}): Verdict {
  const v = hook(pre, env);
  if (v.denied) return v;
  execFileSync('bash', ['-c', command], { cwd: String(pre.cwd ?? repo.root), stdio: 'ignore' });
  if (post) assert.equal(hook(post, env).status, 0);
  return v;
}

const read = (rel: string) => fs.readFileSync(path.join(repo.root, rel), 'utf8');
const exists = (rel: string) => fs.existsSync(path.join(repo.root, rel));
function status() {
  const r = runCli(['status', '--json'], { cwd: repo.root });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { leases: { key: string; session: string }[]; edits: { key: string; session: string; tool?: string }[]; sessions: { id: string }[] };
}
const leaseOf = (key: string) => status().leases.find((l) => l.key === key)?.session;

function claude(command: string, session = 'shell-claude-1', env: NodeJS.ProcessEnv = {}): Verdict {
  return agentRuns(claudeBashPayload('PreToolUse', session, repo.root, command), claudeBashPayload('PostToolUse', session, repo.root, command), command, env);
}

test('Claude Bash: a redirection into a held file is denied with the holder, and the file is unchanged', () => {
  const v = claude(`echo x >> ${HELD}`);
  assert.equal(v.status, 0);
  assert.equal(v.denied, true);
  assert.match(v.reason, /^src\/b\.ts is held by the user \(human:other\), for 1[45] more minutes\./);
  assert.equal(read(HELD), HELD_TEXT);
});

test('Claude Bash: every obvious write form is denied on the held file', () => {
  for (const command of [
    `echo x > ${HELD}`,
    `printf 'y' | tee -a ${HELD}`,
    `sed -i 's/2/3/' ${HELD}`,
    `cp src/a.ts ${HELD}`,
    `mv ${HELD} src/moved.ts`, // the source goes away
    `rm -f ${HELD}`,
    `touch ${HELD}`,
    `truncate -s 0 ${HELD}`,
    `make 2> ${HELD}`,
    `cd src && echo x > b.ts`,
    `bash -c 'echo x >> ${HELD}'`,
    `cat > ${HELD} <<'EOF'\nexport const b = 3;\nEOF`,
  ]) {
    const v = claude(command);
    assert.equal(v.denied, true, command);
    assert.match(v.reason, /src\/b\.ts is held by the user \(human:other\)/, command);
  }
  assert.equal(read(HELD), HELD_TEXT);
  assert.equal(exists('src/moved.ts'), false);
});

test('Claude Bash: a write to a free file is leased to the session and recorded; all or none across files', () => {
  const session = 'shell-claude-2';
  const ok = claude('echo "// more" >> src/a.ts', session);
  assert.equal(ok.denied, false);
  assert.match(read('src/a.ts'), /\/\/ more/);
  assert.equal(leaseOf('src/a.ts'), `claude:${session}`);
  assert.ok(status().edits.some((e) => e.key === 'src/a.ts' && e.session === `claude:${session}` && e.tool === 'Bash'));

  // One held target denies the whole command: the free file is neither written nor leased.
  const mixed = claude(`echo c > src/c.ts; echo b >> ${HELD}`, 'shell-claude-3');
  assert.equal(mixed.denied, true);
  assert.match(mixed.reason, /src\/b\.ts is held/);
  assert.equal(exists('src/c.ts'), false);
  assert.equal(leaseOf('src/c.ts'), undefined);
});

test('Claude Bash: commands that write nothing, or only outside the repository, pass without a lease', () => {
  const outside = path.join(path.dirname(repo.root), 'outside.txt');
  for (const command of ['ls src > /dev/null', `cat ${HELD} | wc -l`, 'git status --short 2>&1 | head -5', `echo x > ${outside}`, 'for f in src/*.ts; do echo "$f"; done', 'echo x > .git/lockstep-probe']) {
    const r = runCli(['hook'], { cwd: repo.root, input: JSON.stringify(claudeBashPayload('PreToolUse', 'shell-claude-4', repo.root, command)), env: CLEAN_ENV });
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    assert.equal(r.stdout, '', `${command}: a grant prints nothing`);
  }
  const st = status();
  assert.equal(st.leases.some((l) => l.session === 'claude:shell-claude-4'), false);
  assert.equal(st.sessions.some((x) => x.id === 'claude:shell-claude-4'), false, 'answered without opening the store');
  fs.rmSync(outside, { force: true });
});

test('a read-only session may not write a repository file through the shell; a task outside its scope neither', () => {
  const ro = claude('touch src/new.ts', 'shell-ro', { LOCKSTEP_READ_ONLY: '1' });
  assert.equal(ro.denied, true);
  assert.match(ro.reason, /src\/new\.ts: this session is read-only/);
  assert.equal(exists('src/new.ts'), false);
  assert.equal(claude('ls src', 'shell-ro', { LOCKSTEP_READ_ONLY: '1' }).denied, false);

  const store = openEmbeddedStore(path.join(repo.root, '.git'));
  store.transact((t) => t.reserve({ task: 'api', globs: ['src/api/**'], sessions: [] }));
  const env = { LOCKSTEP_TASK: 'api', LOCKSTEP_SESSION: 'task:api' };
  const outOfScope = claude('echo x > src/other.ts', 'shell-task', env);
  assert.equal(outOfScope.denied, true);
  assert.match(outOfScope.reason, /src\/other\.ts is outside the scope of your task 'api'/);
  assert.equal(claude('mkdir -p src/api && echo x > src/api/x.ts', 'shell-task', env).denied, false);
  assert.equal(exists('src/api/x.ts'), true);
});

test('Codex Bash: an apply_patch heredoc into a held file is denied, into a free file allowed', () => {
  const patch = (file: string) => `apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: ${file}\n@@\n-x\n+y\n*** End Patch\nEOF\n`;
  const denied = hook(codexBashPayload('PreToolUse', 'codex-shell-1', repo.root, patch(HELD)));
  assert.equal(denied.denied, true);
  assert.match(denied.reason, /src\/b\.ts is held by the user \(human:other\)/);
  const allowed = hook(codexBashPayload('PreToolUse', 'codex-shell-1', repo.root, patch('src/free.ts')));
  assert.equal(allowed.denied, false);
  assert.equal(leaseOf('src/free.ts'), 'codex:codex-shell-1');
  // The argv form of older Codex shells.
  const argv = mutate(codexBashPayload('PreToolUse', 'codex-shell-2', repo.root, ''), { tool_name: 'shell', 'tool_input.command': ['bash', '-lc', `rm ${HELD}`] });
  assert.equal(hook(argv).denied, true);
});

test('Gemini run_shell_command, VS Code run_in_terminal, Cursor beforeShellExecution, Copilot bash: denied in each protocol', () => {
  const write = `sed -i 's/2/9/' ${HELD}`;
  const cases: [string, Record<string, unknown>][] = [
    ['gemini', mutate(loadPayload('gemini', 'before-shell'), { cwd: repo.root, 'tool_input.command': write })],
    ['vscode', mutate(loadPayload('vscode', 'pre-run-in-terminal'), { cwd: repo.root, 'tool_input.command': write })],
    ['cursor', mutate(loadPayload('cursor', 'before-shell'), { cwd: repo.root, workspace_roots: [repo.root], command: write })],
    ['copilot', mutate(loadPayload('copilot', 'pre-bash'), { cwd: repo.root, toolArgs: JSON.stringify({ command: write, description: 'edit' }) })],
    ['windsurf', mutate(loadPayload('windsurf', 'pre-run-command'), { 'tool_info.cwd': repo.root, 'tool_info.command_line': write })],
  ];
  for (const [agent, payload] of cases) {
    const v = hook(payload);
    assert.equal(v.denied, true, agent);
    assert.match(v.reason, /src\/b\.ts is held by the user \(human:other\)/, agent);
  }
  assert.equal(read(HELD), HELD_TEXT);
});

test('Copilot CLI apply_patch with the raw patch as toolArgs: free file allowed, held file denied with the reason', () => {
  const raw = (file: string) => `*** Begin Patch\n*** Update File: ${file}\n@@\n-a\n+b\n*** End Patch\n`;
  const payload = (file: string) => mutate(loadPayload('copilot', 'pre-apply-patch-raw'), { cwd: repo.root, sessionId: 'copilot-gpt5', toolArgs: raw(file) });
  const free = hook(payload('src/patched.ts'));
  assert.deepEqual([free.status, free.denied], [0, false]);
  assert.equal(leaseOf('src/patched.ts'), 'copilot:copilot-gpt5');
  const held = hook(payload(HELD));
  assert.equal(held.status, 0);
  assert.equal(held.denied, true);
  assert.match(held.reason, /src\/b\.ts is held by the user \(human:other\)/);
});

test('malformed but harmless payloads pass; a refusal says what was wrong', () => {
  // A tool Lockstep has no say in, with arguments that are not JSON: allowed.
  const odd = hook(mutate(loadPayload('copilot', 'pre-view'), { cwd: repo.root, toolArgs: '{oops' }));
  assert.deepEqual([odd.status, odd.denied], [0, false]);
  // The shell tool with unreadable arguments: allowed, and stderr says why it was not checked.
  const bash = hook(mutate(loadPayload('copilot', 'pre-bash'), { cwd: repo.root, toolArgs: 'echo x > src/b.ts' }));
  assert.deepEqual([bash.status, bash.denied], [0, false]);
  assert.match(bash.stderr, /lockstep hook: bash: toolArgs of the shell tool is not JSON; let through unchecked/);
  // A patch that names no file is refused in Copilot's own protocol, so the model reads the reason.
  const bad = hook(mutate(loadPayload('copilot', 'pre-apply-patch-raw'), { cwd: repo.root, toolArgs: 'hello' }));
  assert.equal(bad.status, 0);
  assert.equal(bad.denied, true);
  assert.match(bad.reason, /^Lockstep could not read this tool call: copilot preToolUse: toolArgs names no file/);
});
