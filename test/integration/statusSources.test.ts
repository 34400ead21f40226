// `lockstep status` shows all three sources of "who is editing what", each fact tagged with its
// source: a session driven by the real `lockstep hook` (Claude payload), a write through a shell in a
// second worktree (an unleased edit there), and a Claude Code transcript in a temp CLAUDE_CONFIG_DIR
// (a session no hook reported). Real built CLI, real git repository with two worktrees.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeProjectDirFor } from '../../src/agents/transcripts/claudeTranscript';
import { claudeEditLines, claudeUserLine } from '../fixtures/transcriptLines';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { committedTable } from '../helpers/storeFiles';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let wt2: string;
let home: string;
let env: NodeJS.ProcessEnv;
const hookSession = `sess-${randomUUID()}`;
const transcriptSession = randomUUID();


/** Runs the real CLI; a run that does not exit by itself (a watcher or timer left open) is killed and fails. */
function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo.root, input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  assert.equal(r.signal, null, `lockstep ${args.join(' ')} did not exit by itself`);
  return r;
}

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-status-' });
  wt2 = repo.addWorktree('wt-shell', 'shell-task');
  home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-status-home-')));
  env = {
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, 'claude-config'),
    CODEX_HOME: path.join(home, 'codex-home'),
    LOCKSTEP_SESSION: '',
    LOCKSTEP_TASK: '',
    LOCKSTEP_FAIL_OPEN: '',
  };

  // 1. A Claude session through the real hook: PreToolUse Edit of src/a.ts in the main worktree, the edit, PostToolUse.
  const payload = {
    session_id: hookSession,
    transcript_path: path.join(claudeProjectDirFor(repo.root, { CLAUDE_CONFIG_DIR: path.join(home, 'claude-config') }), `${hookSession}.jsonl`),
    cwd: repo.root,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: { file_path: path.join(repo.root, 'src/a.ts'), old_string: 'a', new_string: 'b' },
    tool_use_id: 'toolu_01status',
  };
  const hook = runCli(['hook', '--agent', 'claude'], { cwd: os.tmpdir(), input: JSON.stringify(payload), env });
  assert.equal(hook.status, 0, hook.stderr);
  assert.notEqual(JSON.parse(hook.stdout || '{}').hookSpecificOutput?.permissionDecision, 'deny', hook.stdout);
  fs.writeFileSync(path.join(repo.root, 'src/a.ts'), 'export const a = 2;\n');
  const post = { ...payload, hook_event_name: 'PostToolUse', tool_response: { filePath: payload.tool_input.file_path, success: true } };
  const posted = runCli(['hook', '--agent', 'claude'], { cwd: os.tmpdir(), input: JSON.stringify(post), env });
  assert.equal(posted.status, 0, posted.stderr);

  // 2. A shell write in the second worktree: a tracked file changed and a new file, no lease, no hook.
  fs.appendFileSync(path.join(wt2, 'README.md'), 'written by a shell command\n');
  fs.mkdirSync(path.join(wt2, 'scratch'));
  fs.writeFileSync(path.join(wt2, 'scratch', 'shell.txt'), 'out\n');

  // 3. Claude Code transcripts: one of a session with no hook (it wrote docs/notes.md), one of the hooked session.
  const project = claudeProjectDirFor(repo.root, { CLAUDE_CONFIG_DIR: path.join(home, 'claude-config') });
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(
    path.join(project, `${transcriptSession}.jsonl`),
    claudeUserLine(transcriptSession, repo.root, 'write the notes') +
      '\n' +
      claudeEditLines(transcriptSession, repo.root, 'Write', path.join(repo.root, 'docs/notes.md')) +
      '\n',
  );
  fs.mkdirSync(path.join(repo.root, 'docs'));
  fs.writeFileSync(path.join(repo.root, 'docs/notes.md'), 'notes\n');
  fs.writeFileSync(path.join(project, `${hookSession}.jsonl`), claudeUserLine(hookSession, repo.root, 'edit a.ts') + '\n');
});

after(() => {
  repo?.cleanup();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function statusJson() {
  const r = cli(['status', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('status --json merges hook, worktree and transcript facts, each with its sources', () => {
  const st = statusJson();
  assert.equal(st.ok, true);

  // The hooked session: from the lease store, confirmed by its transcript; its process checked by the OS.
  const hooked = st.sessions.find((s: any) => s.id === `claude:${hookSession}`);
  assert.ok(hooked, JSON.stringify(st.sessions));
  assert.deepEqual(hooked.sources, ['hook', 'transcript']);
  assert.equal(hooked.source, 'hook');
  assert.equal(hooked.liveness.source, 'os');
  const lease = st.leases.find((l: any) => l.key === 'src/a.ts');
  assert.equal(lease.session, `claude:${hookSession}`);
  assert.equal(lease.ownerToken, undefined);
  const hookedEdit = st.edits.find((e: any) => e.session === `claude:${hookSession}` && e.key === 'src/a.ts');
  assert.deepEqual(hookedEdit.sources, ['hook', 'worktree'], 'recorded by the hook, and uncommitted in its worktree');
  assert.equal(hookedEdit.worktree, repo.root);
  assert.equal(hookedEdit.tool, 'Edit');

  // The transcript-only session and its edit.
  const fromTranscript = st.sessions.find((s: any) => s.id === `claude:${transcriptSession}`);
  assert.ok(fromTranscript, JSON.stringify(st.sessions));
  assert.deepEqual(fromTranscript.sources, ['transcript']);
  assert.equal(fromTranscript.worktree, repo.root);
  assert.equal(fromTranscript.liveness.state, 'active');
  const transcriptEdit = st.edits.find((e: any) => e.session === `claude:${transcriptSession}`);
  assert.deepEqual(
    [transcriptEdit.key, transcriptEdit.worktree, transcriptEdit.sources, transcriptEdit.tools],
    ['docs/notes.md', repo.root, ['transcript'], ['Write']],
  );

  // Unleased edits: the shell's writes in the second worktree, and the transcript session's file in the main one.
  const unleased = st.unleased.map((u: any) => [u.worktree, u.key, u.change, u.source]).sort();
  assert.deepEqual(unleased, [
    [repo.root, 'docs/notes.md', 'untracked', 'worktree'],
    [wt2, 'README.md', 'modified', 'worktree'],
    [wt2, 'scratch/shell.txt', 'untracked', 'worktree'],
  ]);
  const notes = st.unleased.find((u: any) => u.key === 'docs/notes.md');
  assert.deepEqual(notes.editedBy, [`claude:${transcriptSession}`]);
  assert.deepEqual(st.unleased.find((u: any) => u.key === 'README.md').worktreeSessions, [], 'nobody works in the shell worktree');
  assert.ok(!st.unleased.some((u: any) => u.key === 'src/a.ts'), 'a leased file changed by its holder is not unleased');

  // Where it read from honours CLAUDE_CONFIG_DIR / CODEX_HOME.
  assert.equal(st.readFrom.claudeProjects, path.join(home, 'claude-config', 'projects'));
  assert.equal(st.readFrom.codexSessions, path.join(home, 'codex-home', 'sessions'));
  assert.deepEqual([...st.readFrom.worktrees].sort(), [repo.root, wt2].sort());
});

test('status text lists every source with its tag, unleased edits with worktree and change, and no owner token', () => {
  const r = cli(['status']);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const line = (re: RegExp) => {
    const found = out.split('\n').find((l) => re.test(l));
    assert.ok(found, `no line matching ${re} in:\n${out}`);
    return found;
  };
  assert.match(out, /^Sessions \(2 active, 0 ended\):$/m);
  assert.match(line(new RegExp(`^ {2}claude:${hookSession} `)), /\[hook, transcript\].*pid \d+/);
  assert.match(line(new RegExp(`^ {2}claude:${transcriptSession} `)), new RegExp(`\\[transcript\\] {2}${escape(repo.root)} {2}no hook, seen in its transcript: active`));
  assert.match(line(/^ {2}src\/a\.ts {2}held by/), /\[lease table\]$/);
  assert.match(line(/ src\/a\.ts {2}claude:/), new RegExp(`Edit {2}in ${escape(repo.root)} {2}\\[hook, worktree\\]$`));
  assert.match(line(/ docs\/notes\.md {2}claude:/), /Write {2}in .* {2}\[transcript\]$/);
  assert.match(out, /^Unleased edits \(3\)/m);
  assert.match(line(/README\.md {2}in /), new RegExp(`^ {2}modified +README\\.md {2}in ${escape(wt2)} {2}no live session there {2}\\[worktree\\]$`));
  assert.match(line(/scratch\/shell\.txt/), new RegExp(`^ {2}untracked +scratch/shell\\.txt {2}in ${escape(wt2)} .*\\[worktree\\]$`));
  assert.match(line(/docs\/notes\.md {2}in /), new RegExp(`edited by claude:${transcriptSession}`));

  const state = committedTable(path.join(repo.root, '.git'));
  const token = state.leases['src/a.ts']!.ownerToken;
  assert.match(token, /^[0-9a-f]{32}$/);
  assert.ok(!out.includes(token) && !cli(['status', '--json']).stdout.includes(token), 'status never prints owner tokens');
});

test('status in a repository whose (pre-slot) state.json is corrupt: one-line error, exit 1, nothing changed', () => {
  const other = makeTempRepo({ prefix: 'lockstep-status-bad-' });
  try {
    const dir = path.join(other.root, '.git', 'lockstep');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'state.json'), '{"version": 1, "fence": ');
    const r = spawnSync(process.execPath, [CLI, 'status'], { cwd: other.root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
    assert.equal(r.signal, null);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /^lockstep: .*state\.json/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'), '{"version": 1, "fence": ');
  } finally {
    other.cleanup();
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
