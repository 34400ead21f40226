// What `lockstep status` says about who edited what must be true (real built CLI, real git
// repository, real `lockstep hook` processes, real transcript files in a temp CLAUDE_CONFIG_DIR /
// CODEX_HOME):
//  - a refused or failed edit is no edit (Claude tool_result is_error, Codex patch_apply_end success:false);
//  - transcript facts carry their entries' own times, not the transcript file's mtime;
//  - a shell write into a file another session holds is an unleased edit, naming the session whose
//    shell command most likely made it; the holder's own writes stay its edits;
//  - a dead agent's lease is shown free at once;
//  - an ended session's own uncommitted edits are its left-over work, not an escape.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeProjectDirFor } from '../../src/agents/transcripts/claudeTranscript';
import { processPlatform } from '../../src/process/processTable';
import { claudeSessionPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { claudeBashLine, claudeToolResultLine, claudeToolUseLine, claudeUserLine, newToolUseId } from '../fixtures/transcriptLines';
import { CLI, ensureBuilt } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { HOOK_COMMAND, StandInAgent, agentEnv, claudePreToolUse, hookDecision } from './fixtures/standInAgent';

const FILES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];

describe('status tells who edited what', () => {
  let repo: TempRepo;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let claudeProject: string;
  let codexDay: string;

  const cli = (args: string[], input = '') => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo.root, input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
    assert.equal(r.signal, null, `lockstep ${args.join(' ')} did not exit by itself`);
    return r;
  };
  const hook = (payload: Record<string, unknown>) => {
    const r = spawnSync(process.execPath, [CLI, 'hook', '--agent', 'claude'], { cwd: os.tmpdir(), input: JSON.stringify(payload), encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(JSON.parse(r.stdout || '{}').hookSpecificOutput?.permissionDecision, 'deny', r.stdout);
  };
  /** A Claude edit through the real hook: PreToolUse, the write, PostToolUse. */
  const hookedEdit = (session: string, rel: string, content: string) => {
    const file = path.join(repo.root, rel);
    hook(claudeToolPayload('PreToolUse', session, repo.root, file));
    fs.writeFileSync(file, content);
    hook(claudeToolPayload('PostToolUse', session, repo.root, file));
  };
  const status = () => {
    const r = cli(['status', '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const transcript = (session: string, lines: string[]) => fs.appendFileSync(path.join(claudeProject, `${session}.jsonl`), lines.map((l) => `${l}\n`).join(''));
  const rollout = (session: string, lines: unknown[]) =>
    fs.appendFileSync(path.join(codexDay, `rollout-2026-12-06T02-00-00-${session}.jsonl`), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  /** Lets the clock move past a file's mtime, so later facts are clearly later. */
  const tick = () => new Promise((r) => setTimeout(r, 60));

  before(() => {
    ensureBuilt();
    repo = makeTempRepo({ prefix: 'lockstep-attr-', files: Object.fromEntries(FILES.map((f) => [`src/${f}.ts`, `export const ${f} = 1;\n`])) });
    home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-attr-home-')));
    env = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, 'claude'), CODEX_HOME: path.join(home, 'codex'), LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '' };
    claudeProject = claudeProjectDirFor(repo.root, env);
    fs.mkdirSync(claudeProject, { recursive: true });
    codexDay = path.join(home, 'codex', 'sessions', '2026', '12', '06');
    fs.mkdirSync(codexDay, { recursive: true });
  });
  after(() => {
    repo?.cleanup();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('a refused or failed edit is not an edit; each fact has its entry\'s own time', () => {
    const s = randomUUID();
    const t = (minAgo: number) => ({ at: new Date(Date.now() - minAgo * 60_000) });
    const [denied, refused, ok, unanswered] = [newToolUseId(), newToolUseId(), newToolUseId(), newToolUseId()];
    transcript(s, [
      claudeUserLine(s, repo.root, 'edit a, b, c', t(30)),
      claudeToolUseLine(s, repo.root, 'Edit', path.join(repo.root, 'src/a.ts'), { ...t(29), id: denied }),
      claudeToolResultLine(s, repo.root, denied, { ...t(29), isError: true, text: 'PreToolUse:Edit hook error: src/a.ts is held by codex session 3f2a1b2c' }),
      claudeToolUseLine(s, repo.root, 'Write', path.join(repo.root, 'src/b.ts'), { ...t(28), id: refused }),
      claudeToolResultLine(s, repo.root, refused, { ...t(28), isError: true, text: "The user doesn't want to proceed with this tool use." }),
      claudeToolUseLine(s, repo.root, 'Edit', path.join(repo.root, 'src/c.ts'), { ...t(27), id: ok }),
      claudeToolResultLine(s, repo.root, ok, t(26)),
      claudeToolUseLine(s, repo.root, 'Edit', path.join(repo.root, 'src/d.ts'), { ...t(25), id: unanswered }),
    ]);
    const x = randomUUID();
    const patchEnd = (success: boolean, file: string, minAgo: number) => ({
      timestamp: new Date(Date.now() - minAgo * 60_000).toISOString(),
      type: 'event_msg',
      payload: { type: 'patch_apply_end', call_id: randomUUID(), stdout: '', stderr: success ? '' : 'context mismatch', success, changes: { [path.join(repo.root, file)]: { type: 'update', unified_diff: '' } } },
    });
    rollout(x, [
      { timestamp: new Date(Date.now() - 40 * 60_000).toISOString(), type: 'session_meta', payload: { id: x, cwd: repo.root, originator: 'codex_cli_rs', cli_version: '0.169.0' } },
      patchEnd(false, 'src/e.ts', 39),
      patchEnd(true, 'src/i.ts', 38),
    ]);

    const st = status();
    const edits = (id: string) => st.edits.filter((e: any) => e.session === id).map((e: any) => e.key).sort();
    assert.deepEqual(edits(`claude:${s}`), ['src/c.ts'], 'only the edit whose result came back without error');
    assert.deepEqual(edits(`codex:${x}`), ['src/i.ts'], 'only the patch Codex applied');
    const c = st.edits.find((e: any) => e.session === `claude:${s}`);
    assert.ok(Math.abs(c.at - (Date.now() - 26 * 60_000)) < 60_000, `the edit's time is its result's timestamp, not the file's mtime: ${new Date(c.at).toISOString()}`);
    const session = st.sessions.find((v: any) => v.id === `claude:${s}`);
    assert.ok(Date.now() - session.lastSeen > 20 * 60_000, 'last seen at its last entry');
    assert.equal(session.liveness.state, 'idle', 'its transcript stopped 25 minutes ago, whatever the file time');
  });

  it('a shell write into a file another session holds is unleased, probably by the session that ran the command', async () => {
    // human:other claims src/f.ts and src/g.ts; Claude appends to src/f.ts through Bash.
    const claim = cli(['claim', 'src/f.ts', 'src/g.ts', '--session', 'human:other']);
    assert.equal(claim.status, 0, claim.stderr);
    const s = randomUUID();
    const bash = newToolUseId();
    const command = `node -e "require('fs').appendFileSync('src/f.ts', 'x\\n')"`;
    transcript(s, [claudeUserLine(s, repo.root, 'append to f'), claudeBashLine(s, repo.root, command, { id: bash })]);
    await tick();
    fs.appendFileSync(path.join(repo.root, 'src/f.ts'), 'x\n');
    await tick();
    transcript(s, [claudeToolResultLine(s, repo.root, bash, { text: '' })]);
    await tick();
    // The holder's own edit (no shell command around it) stays the holder's.
    fs.appendFileSync(path.join(repo.root, 'src/g.ts'), 'by the holder\n');

    const st = status();
    const f = st.unleased.find((u: any) => u.key === 'src/f.ts');
    assert.ok(f, `src/f.ts is unleased: ${JSON.stringify(st.unleased)}`);
    assert.equal(f.shellBy, `claude:${s}`);
    assert.equal(f.notWrittenByHolder, 'human:other');
    assert.match(f.shellCommand, /appendFileSync/);
    assert.ok(!st.edits.some((e: any) => e.key === 'src/f.ts' && e.session === 'human:other'), 'not credited to the holder');
    assert.ok(st.edits.some((e: any) => e.key === 'src/g.ts' && e.session === 'human:other' && e.sources.includes('worktree')));
    assert.ok(!st.unleased.some((u: any) => u.key === 'src/g.ts'));

    const text = cli(['status']).stdout;
    assert.match(text, new RegExp(`src/f\\.ts .*probably claude:${s} \\(shell: node -e .*leased by human:other, but not by its recorded edits`));
  });

  it("a hooked holder's recorded edits explain its changes; another agent's shell write after them does not", async () => {
    const h = `sess-${randomUUID()}`;
    hookedEdit(h, 'src/h.ts', 'export const h = 2;\n');
    hookedEdit(h, 'src/j.ts', 'export const j = 2;\n');
    await tick();
    // A Codex session in the same worktree appends to src/h.ts through its shell.
    const x = randomUUID();
    const started = new Date().toISOString();
    await tick();
    fs.appendFileSync(path.join(repo.root, 'src/h.ts'), '// codex\n');
    await tick();
    rollout(x, [
      { timestamp: started, type: 'session_meta', payload: { id: x, cwd: repo.root, originator: 'codex_cli_rs', cli_version: '0.169.0' } },
      { timestamp: started, type: 'response_item', payload: { type: 'function_call', name: 'shell', call_id: 'call_h', arguments: JSON.stringify({ command: ['bash', '-lc', "echo '// codex' >> src/h.ts"] }) } },
      { timestamp: new Date().toISOString(), type: 'response_item', payload: { type: 'function_call_output', call_id: 'call_h', output: JSON.stringify({ output: '', metadata: { exit_code: 0 } }) } },
    ]);

    const st = status();
    const hh = st.unleased.find((u: any) => u.key === 'src/h.ts');
    assert.ok(hh, `src/h.ts is unleased: ${JSON.stringify(st.unleased)}`);
    assert.deepEqual([hh.shellBy, hh.notWrittenByHolder], [`codex:${x}`, `claude:${h}`]);
    const j = st.edits.find((e: any) => e.key === 'src/j.ts' && e.session === `claude:${h}`);
    assert.deepEqual(j?.sources, ['hook', 'worktree'], 'its own edit, explained by the recorded one');
    assert.ok(!st.unleased.some((u: any) => u.key === 'src/j.ts'));
  });

  it("an ended session's own uncommitted edits are its left-over work, not unleased; a later write is", async () => {
    const e = `sess-${randomUUID()}`;
    hookedEdit(e, 'src/k.ts', 'export const k = 2;\n');
    hookedEdit(e, 'src/e.ts', 'export const e = 2;\n');
    hook(claudeSessionPayload('SessionEnd', e, repo.root));
    await tick();
    fs.appendFileSync(path.join(repo.root, 'src/e.ts'), '// written after the session ended\n');

    const st = status();
    const left = st.endedWork.find((w: any) => w.key === 'src/k.ts');
    assert.ok(left, `src/k.ts is left-over work: ${JSON.stringify(st.endedWork)}`);
    assert.equal(left.session, `claude:${e}`);
    assert.match(left.endReason, /session ended/);
    assert.ok(!st.unleased.some((u: any) => u.key === 'src/k.ts'), 'not an escape');
    assert.ok(st.unleased.some((u: any) => u.key === 'src/e.ts'), 'changed after its last recorded edit: an escape');
    assert.ok(!st.endedWork.some((w: any) => w.key === 'src/e.ts'));

    const text = cli(['status']).stdout;
    assert.match(text, /^Uncommitted work of ended sessions \(\d+\): /m);
    assert.match(text, new RegExp(`^ {2}modified +src/k\\.ts {2}in .* by claude:${e} \\(ended .* ago: claude session ended`, 'm'));
  });
});

describe('status applies liveness when it reads', { skip: processPlatform() === 'unsupported' }, () => {
  it("a killed agent's lease shows free at once, before any write to the store", async () => {
    ensureBuilt();
    const repo = makeTempRepo({ prefix: 'lockstep-attr-dead-' });
    const holder = await StandInAgent.start({ cwd: repo.root, env: agentEnv() });
    try {
      const decision = hookDecision(await holder.run(HOOK_COMMAND, { input: claudePreToolUse('sess-dead', repo.root, 'src/a.ts'), cwd: repo.root }));
      assert.equal(decision, 'grant');
      await holder.killHard();
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-attr-dead-home-'));
      const env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, 'c'), CODEX_HOME: path.join(home, 'x') };
      try {
        const r = spawnSync(process.execPath, [CLI, 'status', '--json'], { cwd: repo.root, encoding: 'utf8', env, timeout: 30_000 });
        assert.equal(r.status, 0, r.stderr);
        const st = JSON.parse(r.stdout);
        const lease = st.leases.find((l: any) => l.key === 'src/a.ts');
        // Freed by the lease table's own rule; the coordinator may already have ended the session.
        if (lease) {
          assert.equal(lease.inForce, false, JSON.stringify(lease));
          assert.match(lease.freed, /agent is gone|session ended/);
        }
        const text = spawnSync(process.execPath, [CLI, 'status'], { cwd: repo.root, encoding: 'utf8', env, timeout: 30_000 }).stdout;
        assert.doesNotMatch(text, /src\/a\.ts {2}held by/, text);
        assert.match(text, /^Leases \(0/m, text);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    } finally {
      await holder.dispose();
      repo.cleanup();
    }
  });
});
