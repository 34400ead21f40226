// Only a lease's owner releases or takes it: by its owner token, or as the session's own agent
// process. A forged hook payload or CLI call naming another session's id acts for nobody, and
// `release --force` is for people only. Real CLI/hook processes; agents are real processes whose
// identity the hook pins through LOCKSTEP_AGENT_PID (as the scheduler does).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeSessionPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
const agents: ChildProcess[] = [];
/** No agent traces in the environment: the calls below come from a person unless a test says otherwise. */
const PERSON_ENV = { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_AGENT_PID: '', CLAUDECODE: '', CLAUDE_CODE_ENTRYPOINT: '', GEMINI_CLI: '', CODEX_SANDBOX: '', CODEX_SANDBOX_NETWORK_DISABLED: '', CURSOR_AGENT: '' };

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ files: { 'a.ts': 'a\n', 'b.ts': 'b\n', 'c.ts': 'c\n', 'd.ts': 'd\n' } });
});
after(() => {
  for (const a of agents) a.kill('SIGKILL');
  repo.cleanup();
});

/** A running process standing for an agent (its pid is what the hook records). */
function startAgent(): ChildProcess {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  agents.push(child);
  return child;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd: repo.root, env: { ...PERSON_ENV, ...env } });
}

function hook(agent: ChildProcess, payload: unknown) {
  const r = runCli(['hook', '--agent', 'claude'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env: { ...PERSON_ENV, LOCKSTEP_AGENT_PID: String(agent.pid) } });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : {};
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined };
}

function holder(key: string): string | undefined {
  const r = cli(['status', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).leases as Array<{ key: string; session: string }>).find((l) => l.key === key)?.session;
}

function journal(): Array<{ op: string; key?: string; reason?: string; session?: string }> {
  const r = cli(['journal', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const file = (name: string) => path.join(repo.root, name);

test("a forged hook payload naming another agent's session neither takes nor frees its leases", () => {
  const victim = startAgent();
  const intruder = startAgent();
  assert.equal(hook(victim, claudeToolPayload('PreToolUse', 'victim-1', repo.root, file('a.ts'))).denied, false);
  assert.equal(holder('a.ts'), 'claude:victim-1');

  const forged = hook(intruder, claudeToolPayload('PreToolUse', 'victim-1', repo.root, file('a.ts')));
  assert.equal(forged.denied, true, 'the intruder may not edit under the victim session');
  assert.match(forged.reason!, /belongs to another agent process/);
  assert.equal(hook(intruder, claudeToolPayload('PreToolUse', 'victim-1', repo.root, file('b.ts'))).denied, true);
  assert.equal(holder('b.ts'), undefined);

  hook(intruder, claudeSessionPayload('SessionEnd', 'victim-1', repo.root));
  assert.equal(holder('a.ts'), 'claude:victim-1', 'a forged SessionEnd frees nothing');

  // Another session is denied, and the reason never offers an override to the agent.
  const other = hook(intruder, claudeToolPayload('PreToolUse', 'intruder-1', repo.root, file('a.ts')));
  assert.equal(other.denied, true);
  assert.doesNotMatch(other.reason!, /force/i);

  // The victim itself still edits, and its own SessionEnd frees its leases.
  assert.equal(hook(victim, claudeToolPayload('PreToolUse', 'victim-1', repo.root, file('b.ts'))).denied, false);
  hook(victim, claudeSessionPayload('SessionEnd', 'victim-1', repo.root));
  assert.equal(holder('a.ts'), undefined);
  assert.equal(holder('b.ts'), undefined);
  assert.ok(journal().some((e) => e.op === 'refuse' && e.session === 'claude:victim-1'), 'the refused claims are journaled');
});

test("an agent resuming its session in a new process takes it over once the old process has ended", async () => {
  const first = startAgent();
  assert.equal(hook(first, claudeToolPayload('PreToolUse', 'resumed-1', repo.root, file('c.ts'))).denied, false);
  const exited = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await exited;
  const second = startAgent();
  assert.equal(hook(second, claudeToolPayload('PreToolUse', 'resumed-1', repo.root, file('d.ts'))).denied, false);
  hook(second, claudeSessionPayload('SessionEnd', 'resumed-1', repo.root));
});

test('the CLI releases only with the owner token, or as the session\'s own agent process', () => {
  const victim = startAgent();
  assert.equal(hook(victim, claudeToolPayload('PreToolUse', 'victim-2', repo.root, file('a.ts'))).denied, false);

  const bySession = cli(['release', 'a.ts', '--session', 'claude:victim-2']);
  assert.equal(bySession.status, 3, bySession.stderr);
  assert.match(bySession.stderr, /belongs to another agent process.*owner token of the lease \(--token/);
  const all = cli(['release', '--all', '--session', 'claude:victim-2']);
  assert.equal(all.status, 3, all.stderr);
  const claim = cli(['claim', 'a.ts', '--session', 'claude:victim-2', '--json']);
  assert.equal(claim.status, 3, 'claiming into the session would hand out its owner token');
  assert.equal(holder('a.ts'), 'claude:victim-2');

  // From inside the victim agent (its shell tool: the same agent process), --session works.
  const own = cli(['release', 'a.ts', '--session', 'claude:victim-2'], { LOCKSTEP_AGENT_PID: String(victim.pid) });
  assert.equal(own.status, 0, own.stderr);
  assert.equal(holder('a.ts'), undefined);

  // A person's CLI session has no agent process: from inside an agent the owner token is the proof;
  // from the person's own terminal (no agent around the call) the session name is enough.
  const token = JSON.parse(cli(['claim', 'b.ts', 'c.ts', '--session', 'human:carol', '--json']).stdout).leases[0].ownerToken as string;
  const fromAgent = cli(['release', 'b.ts', '--session', 'human:carol'], { CLAUDECODE: '1' });
  assert.equal(fromAgent.status, 3);
  assert.match(fromAgent.stderr, /human:carol is a person's session and this call comes from an agent \(CLAUDECODE is set\).*--token, printed by `lockstep claim --json`/);
  assert.equal(holder('b.ts'), 'human:carol');
  assert.equal(cli(['release', 'b.ts', '--token', 'f'.repeat(32)]).status, 3);
  const allByToken = cli(['release', '--all', '--token', token, '--json']);
  assert.equal(allByToken.status, 0, allByToken.stderr);
  assert.deepEqual(JSON.parse(allByToken.stdout).released.map((l: { key: string }) => l.key).sort(), ['b.ts', 'c.ts']);
});

test('release --force is for people: refused to agents and to agent sessions, journaled with who forced it', () => {
  const holderAgent = startAgent();
  assert.equal(hook(holderAgent, claudeToolPayload('PreToolUse', 'held-3', repo.root, file('d.ts'))).denied, false);

  const asAgentSession = cli(['release', 'd.ts', '--force', '--session', 'claude:other']);
  assert.equal(asAgentSession.status, 1);
  assert.match(asAgentSession.stderr, /--force is for people/);
  const fromClaudeShell = cli(['release', 'd.ts', '--force', '--session', 'human:dave'], { CLAUDECODE: '1' });
  assert.equal(fromClaudeShell.status, 3);
  assert.match(fromClaudeShell.stderr, /this call comes from an agent \(CLAUDECODE is set\)/);

  // A process named like an agent running the CLI (as an agent's tool would) is an agent too.
  const fakeClaude = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-agentbin-')), 'claude');
  fs.symlinkSync(process.execPath, fakeClaude);
  const viaAgent = spawnSync(fakeClaude, ['-e', `const r=require('child_process').spawnSync(process.argv[1],[${JSON.stringify(CLI)},'release','d.ts','--force','--session','human:dave'],{encoding:'utf8'});process.stdout.write(String(r.status)+'\\n'+r.stderr)`, process.execPath], {
    cwd: repo.root,
    encoding: 'utf8',
    env: { ...process.env, ...PERSON_ENV },
  });
  assert.match(viaAgent.stdout, /^3\n.*run by claude \(pid \d+\)/s);
  assert.equal(holder('d.ts'), 'claude:held-3');

  const person = cli(['release', 'd.ts', '--force', '--session', 'human:dave']);
  assert.equal(person.status, 0, person.stderr);
  assert.equal(holder('d.ts'), undefined);
  assert.ok(journal().some((e) => e.op === 'release' && e.key === 'd.ts' && e.reason === 'force-released by human:dave'));
});
