// `lockstep hook` as agents run it: the real built CLI, real Claude Code / Codex hook payloads, a real
// repository with two worktrees.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeSessionPayload, claudeToolPayload, codexApplyPatchPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { storeFileBytes, tearLeaseTable } from '../helpers/storeFiles';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let wtA: string;
let wtB: string;
let commonDir: string;
const storeFile = (name: string) => path.join(commonDir, 'lockstep', name);

before(() => {
  ensureBuilt();
  repo = makeTempRepo();
  wtA = repo.addWorktree('wt-a', 'task-a');
  wtB = repo.addWorktree('wt-b', 'task-b');
  commonDir = path.join(repo.root, '.git');
});
after(() => repo.cleanup());

function hook(payload: unknown, opts: { agent?: string; env?: NodeJS.ProcessEnv; raw?: string } = {}) {
  const args = ['hook', ...(opts.agent ? ['--agent', opts.agent] : [])];
  const r = runCli(args, { cwd: os.tmpdir(), input: opts.raw ?? JSON.stringify(payload), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '', ...opts.env } });
  const out = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  const decision = out.hookSpecificOutput?.permissionDecision as string | undefined;
  return { ...r, out, denied: decision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason as string | undefined };
}

function snapshot() {
  return storeFileBytes(commonDir);
}

function status() {
  const r = runCli(['status', '--json'], { cwd: repo.root });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('two Claude sessions in two worktrees contend for one file', () => {
  const a1 = hook(claudeToolPayload('PreToolUse', 'sess-aaaa1111', wtA, path.join(wtA, 'src/a.ts')), { agent: 'claude' });
  assert.equal(a1.status, 0, a1.stderr);
  assert.equal(a1.denied, false);
  assert.equal(a1.out.hookSpecificOutput?.permissionDecision, undefined, 'a grant never says allow (the user still approves)');

  const b1 = hook(claudeToolPayload('PreToolUse', 'sess-bbbb2222', wtB, path.join(wtB, 'src/a.ts')), { agent: 'claude' });
  assert.equal(b1.status, 0);
  assert.equal(b1.denied, true);
  assert.match(b1.reason!, /^src\/a\.ts is held by claude session sess-aaa/);
  assert.match(b1.reason!, /for 1[45] more minutes/);
  assert.ok(!b1.reason!.includes('\n'));

  // B may edit another file; A's own repeated edit renews.
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-bbbb2222', wtB, path.join(wtB, 'src/b.ts'), { tool: 'Write' })).denied, false);
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-aaaa1111', wtA, path.join(wtA, 'src/a.ts'))).denied, false);
  // Same file from the main worktree by a third session: denied too (same logical key).
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-cccc3333', repo.root, path.join(repo.root, 'src/a.ts'))).denied, true);

  const post = hook(claudeToolPayload('PostToolUse', 'sess-aaaa1111', wtA, path.join(wtA, 'src/a.ts')));
  assert.equal(post.status, 0, post.stderr);
  let st = status();
  const lease = st.leases.find((l: any) => l.key === 'src/a.ts');
  assert.equal(lease.session, 'claude:sess-aaaa1111');
  assert.equal(lease.ownerToken, undefined, 'status never shows owner tokens');
  assert.ok(st.edits.some((e: any) => e.key === 'src/a.ts' && e.session === 'claude:sess-aaaa1111' && e.source === 'hook' && e.worktree === wtA));
  assert.equal(st.sessions.find((s: any) => s.id === 'claude:sess-aaaa1111').worktree, wtA);

  // A's session ends: its leases go, B gets the file.
  const end = hook(claudeSessionPayload('SessionEnd', 'sess-aaaa1111', wtA));
  assert.equal(end.status, 0, end.stderr);
  assert.equal(hook(claudeToolPayload('PreToolUse', 'sess-bbbb2222', wtB, path.join(wtB, 'src/a.ts'))).denied, false);
  st = status();
  assert.equal(st.leases.find((l: any) => l.key === 'src/a.ts').session, 'claude:sess-bbbb2222');
  assert.ok(st.sessions.find((s: any) => s.id === 'claude:sess-aaaa1111').endedAt > 0);
  const journal = runCli(['journal', '--json'], { cwd: wtB }).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(journal.some((e) => e.op === 'deny' && e.key === 'src/a.ts' && e.holder === 'claude:sess-aaaa1111'));
});

test('a Codex apply_patch touching several files is leased all or none', () => {
  hook(claudeToolPayload('PreToolUse', 'sess-dddd4444', wtA, path.join(wtA, 'README.md')));
  const denied = hook(codexApplyPatchPayload('codex-0001', wtB, ['src/c.ts', 'README.md']), { agent: 'codex' });
  assert.equal(denied.denied, true, denied.stdout + denied.stderr);
  assert.match(denied.reason!, /README\.md is held by claude session sess-ddd/);
  assert.equal(status().leases.find((l: any) => l.key === 'src/c.ts'), undefined, 'nothing leased');
  const ok = hook(codexApplyPatchPayload('codex-0001', wtB, ['src/c.ts', 'src/d.ts']), { agent: 'codex' });
  assert.equal(ok.denied, false, ok.stdout + ok.stderr);
  const keys = status().leases.filter((l: any) => l.session === 'codex:codex-0001').map((l: any) => l.key).sort();
  assert.deepEqual(keys, ['src/c.ts', 'src/d.ts']);
});

test('shell tool calls that write nothing are allowed; a shell write into a held file is denied (more in hookShell.test.ts)', () => {
  const bash = (command: string) => hook({ ...claudeToolPayload('PreToolUse', 'sess-eeee5555', wtA, ''), tool_name: 'Bash', tool_input: { command } }, { agent: 'claude' });
  const r = bash('npm test > /dev/null');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.denied, false);
  const w = bash('echo hi > src/a.ts');
  assert.equal(w.denied, true);
  assert.match(w.reason!, /^src\/a\.ts is held by claude session sess-bbb/);
});

test('bad inputs get a one-line reason and change nothing (lease table and journal byte-identical)', () => {
  hook(claudeToolPayload('PreToolUse', 'sess-ffff6666', wtA, path.join(wtA, 'src/f.ts')));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-outside-'));
  fs.symlinkSync(outside, path.join(wtA, 'linked-out'));
  try {
    const before = snapshot();
    const malformed: Array<[string, { raw?: string; payload?: unknown }, RegExp]> = [
      ['malformed JSON', { raw: '{"session_id": "x", ' }, /not valid JSON/],
      ['not an object', { raw: '[1,2]' }, /not a JSON object/],
      ['empty stdin', { raw: '' }, /not valid JSON/],
      ['wrong field type', { payload: { ...claudeToolPayload('PreToolUse', 'sess-x', wtA, 'x'), tool_input: { file_path: 42, old_string: 'a', new_string: 'b' } } }, /file_path/],
      ['session id not a string', { payload: { ...claudeToolPayload('PreToolUse', 'sess-x', wtA, path.join(wtA, 'x')), session_id: 7 } }, /session_id|no known agent/],
      ['relative cwd', { payload: claudeToolPayload('PreToolUse', 'sess-x', 'relative/dir', 'x') }, /cwd/],
      ['huge payload', { raw: JSON.stringify({ ...claudeToolPayload('PreToolUse', 'sess-x', wtA, path.join(wtA, 'x')), pad: 'x'.repeat(5 * 1024 * 1024) }) }, /larger than 4 MiB/],
    ];
    for (const [name, input, re] of malformed) {
      const r = hook(input.payload, { agent: 'claude', raw: input.raw });
      assert.equal(r.status, 2, `${name}: exit 2 (${r.stdout} ${r.stderr})`);
      assert.match(r.stderr, re, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
      assert.deepEqual(snapshot(), before, `${name}: nothing changed`);
    }
    const badPaths: Array<[string, string, RegExp]> = [
      ['../ escape', '../wt-b/src/a.ts', /escapes the worktree/],
      ['../ escape (absolute form)', `${wtA}/../../etc/passwd`, /outside every worktree/],
      ['absolute path elsewhere', '/etc/hosts', /\/etc\/hosts: outside every worktree/],
      ['symlink leaving the worktree', path.join(wtA, 'linked-out', 'evil.sh'), /leaves the worktree through a symlink/],
      ['.git/config', path.join(repo.root, '.git', 'config'), /git internals/],
      ['.git of a linked worktree', path.join(wtA, '.git'), /git internals/],
      ['NUL byte', path.join(wtA, 'src/a\0.ts'), /NUL byte/],
    ];
    for (const [name, p, re] of badPaths) {
      const r = hook(claudeToolPayload('PreToolUse', 'sess-ffff6666', wtA, p), { agent: 'claude' });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.denied, true, `${name}: denied`);
      assert.match(r.reason!, re, name);
      assert.ok(!r.reason!.includes('\n'), `${name}: one line`);
      assert.deepEqual(snapshot(), before, `${name}: nothing changed`);
    }
    const unknownAgent = hook(claudeToolPayload('PreToolUse', 'sess-x', wtA, 'x'), { agent: 'emacs' });
    assert.equal(unknownAgent.status, 2);
    assert.match(unknownAgent.stderr, /--agent: unknown agent 'emacs'/);
    assert.deepEqual(snapshot(), before);
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('a broken store denies with `lockstep doctor`; fail-open allows with a warning; doctor repairs', () => {
  tearLeaseTable(commonDir);
  const p = claudeToolPayload('PreToolUse', 'sess-gggg7777', wtA, path.join(wtA, 'src/g.ts'));
  const denied = hook(p);
  assert.equal(denied.denied, true);
  assert.match(denied.reason!, /no intact lease table \(.*state\.a\.json: not sealed.*\); run `lockstep doctor`/);

  const open = hook(p, { env: { LOCKSTEP_FAIL_OPEN: '1' } });
  assert.equal(open.status, 0);
  assert.equal(open.denied, false);
  assert.match(open.stderr, /failing open .*lockstep doctor/);

  fs.writeFileSync(storeFile('config.json'), JSON.stringify({ failOpen: true }));
  assert.equal(hook(p).denied, false, 'config failOpen');
  fs.rmSync(storeFile('config.json'));

  const doctor = runCli(['doctor'], { cwd: wtA });
  assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /moved the bad file\(s\) aside: state\.a\.json\.bad-/);
  assert.match(doctor.stdout, /healthy/);
  const again = hook(p);
  assert.equal(again.denied, false, again.reason);
  // The lease held before the damage survived the rebuild.
  assert.equal(status().leases.find((l: any) => l.key === 'src/a.ts').session, 'claude:sess-bbbb2222');
});

test('outside any git repository the hook has nothing to coordinate: allowed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-norepo-'));
  try {
    const r = hook(claudeToolPayload('PreToolUse', 'sess-h', dir, path.join(dir, 'a.txt')));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.denied, false);
    assert.equal(fs.existsSync(path.join(dir, '.git')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lockstep hook --help prints usage without reading stdin', () => {
  const r = runCli(['hook', '--help'], { cwd: os.tmpdir() });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: lockstep hook \[--agent/);
});
