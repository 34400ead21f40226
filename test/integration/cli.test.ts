// The human `lockstep` commands, run as the real built CLI in a real repository.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { committedTable, storeFileBytes } from '../helpers/storeFiles';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let wt: string;
before(() => {
  ensureBuilt();
  repo = makeTempRepo();
  wt = repo.addWorktree('wt-x', 'task-x');
});
after(() => repo.cleanup());

const cli = (args: string[], cwd = repo.root, env?: NodeJS.ProcessEnv) => runCli(args, { cwd, env });
const json = (args: string[], cwd = repo.root) => {
  const r = cli([...args, '--json'], cwd);
  return { ...r, body: JSON.parse(r.stdout) };
};
const storeBytes = () => storeFileBytes(path.join(repo.root, '.git'));

test('claim is all-or-nothing: exit 0 with token and fence, exit 3 naming the holder', () => {
  const a = json(['claim', 'src/a.ts', 'README.md', '--session', 'human:alice', '--ttl', '600']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.body.granted, true);
  assert.equal(a.body.leases.length, 2);
  assert.match(a.body.leases[0].ownerToken, /^[0-9a-f]{32}$/);
  assert.ok(a.body.leases[1].fence > a.body.leases[0].fence);

  const leasesBefore = committedTable(path.join(repo.root, '.git')).leases;
  const b = json(['claim', 'src/b.ts', 'src/a.ts', '--session', 'codex:bob'], wt);
  assert.equal(b.status, 3);
  assert.equal(b.body.granted, false);
  assert.deepEqual(b.body.denials.map((d: any) => [d.key, d.holder]), [['src/a.ts', 'human:alice']]);
  assert.match(b.stderr, /^lockstep: src\/a\.ts is held by the user \(human:alice\), for 10 more minutes/);
  assert.equal(b.stderr.trim().split('\n').length, 1);
  const st = json(['status']).body;
  assert.equal(st.leases.find((l: any) => l.key === 'src/b.ts'), undefined, 'src/b.ts not leased');
  // The denial is journaled (that is what the journal is for), the lease table is not changed.
  assert.deepEqual(committedTable(path.join(repo.root, '.git')).leases, leasesBefore);

  // Human output.
  const c = cli(['claim', 'src/b.ts', '--session', 'codex:bob'], wt);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^granted src\/b\.ts {2}fence \d+ {2}token [0-9a-f]{32} {2}expires in 15 min/);
});

test('renew and release with a token: the holder succeeds, a wrong token is refused with nothing changed', () => {
  const a = json(['claim', 'src/r.ts', '--session', 'human:carol', '--ttl', '60']);
  const token = a.body.leases[0].ownerToken as string;
  const before = storeBytes();
  const wrong = cli(['renew', 'src/r.ts', '--token', '0'.repeat(32)]);
  assert.equal(wrong.status, 3);
  assert.match(wrong.stderr, /src\/r\.ts: not held with this owner token/);
  const wrongRelease = cli(['release', 'src/r.ts', '--token', 'f'.repeat(32)]);
  assert.equal(wrongRelease.status, 3);
  assert.deepEqual(storeBytes(), before, 'refusals change nothing');

  const renewed = json(['renew', 'src/r.ts', '--token', token, '--ttl', '900']);
  assert.equal(renewed.status, 0, renewed.stderr);
  assert.ok(renewed.body.expiresAt > a.body.leases[0].expiresAt);
  const released = json(['release', 'src/r.ts', '--token', token]);
  assert.equal(released.status, 0, released.stderr);
  assert.deepEqual(released.body.released.map((l: any) => l.key), ['src/r.ts']);
  assert.equal(cli(['renew', 'src/r.ts', '--token', token]).status, 3, 'a released token is dead');
});

test('release by owner token, --all by token, and --force by a person; releasing what another session holds is refused', () => {
  const claimed = json(['claim', 'docs/1.md', 'docs/2.md', 'docs/3.md', '--session', 'gemini:g1']).body.leases as Array<{ key: string; ownerToken: string }>;
  const token = (key: string) => claimed.find((l) => l.key === key)!.ownerToken;
  const before = storeBytes();
  const notMine = cli(['release', 'docs/1.md', '--session', 'human:zed']);
  assert.equal(notMine.status, 3);
  assert.match(notMine.stderr, /docs\/1\.md: not held by human:zed \(held by gemini:g1\); nothing released/);
  const byId = cli(['release', 'docs/1.md', '--session', 'gemini:g1']);
  assert.equal(byId.status, 3, 'knowing the session id is not enough');
  const partly = cli(['release', 'docs/1.md', 'docs/2.md', '--token', token('docs/1.md')]);
  assert.equal(partly.status, 3, 'all or none');
  assert.match(partly.stderr, /docs\/2\.md: not held with this owner token/);
  assert.deepEqual(storeBytes(), before);

  assert.equal(cli(['release', 'docs/1.md', '--token', token('docs/1.md')]).status, 0);
  const person = { LOCKSTEP_SESSION: '', LOCKSTEP_AGENT_PID: '', CLAUDECODE: '', CLAUDE_CODE_ENTRYPOINT: '', GEMINI_CLI: '', CODEX_SANDBOX: '', CODEX_SANDBOX_NETWORK_DISABLED: '', CURSOR_AGENT: '' };
  const forced = cli(['release', 'docs/2.md', '--force', '--session', 'human:admin', '--json'], repo.root, person);
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(JSON.parse(forced.stdout).released[0].session, 'gemini:g1');
  const all = json(['release', '--all', '--token', token('docs/3.md')]);
  assert.deepEqual(all.body.released.map((l: any) => l.key), ['docs/3.md']);
  const journal = cli(['journal']).stdout;
  assert.match(journal, /release +docs\/2\.md {2}session gemini:g1 {2}fence \d+ {2}\(force-released by human:admin\)/);
});

test('usage errors are one line, exit non-zero, and change nothing', () => {
  const before = storeBytes();
  const cases: Array<[string[], RegExp]> = [
    [['claim', 'src/a.ts'], /--session is required/],
    [['claim', 'src/a.ts', '--session', 'nobody'], /--session 'nobody': expected <agent>:<id>/],
    [['claim', 'src/a.ts', '--session', 'robot:1'], /expected <agent>:<id>/],
    [['claim', 'src/a.ts', '--session', 'human:a', '--ttl', 'soon'], /--ttl 'soon'/],
    [['claim', '../escape.ts', '--session', 'human:a'], /escapes the worktree/],
    [['claim', '.git/config', '--session', 'human:a'], /git internals/],
    [['claim', '/etc/passwd', '--session', 'human:a'], /outside every worktree/],
    [['release', '--session', 'human:a'], /name the files to release, or --all/],
    [['release', 'x'], /give the owner token of the lease \(--token/],
    [['release', 'x', '--force', '--session', 'codex:a'], /--force is for people/],
    [['release', 'x', '--all', '--session', 'human:a'], /either paths or --all/],
    [['renew', 'src/a.ts'], /required option '--token/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(add --help')).length, 1, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(storeBytes(), before);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-norepo-'));
  try {
    const r = cli(['status'], outside);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not inside a git repository/);
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('--help everywhere', () => {
  for (const args of [['--help'], ['config', '--help'], ['claim', '--help'], ['release', '--help'], ['renew', '--help'], ['status', '--help'], ['doctor', '--help'], ['journal', '--help'], ['hooks', 'install', '--help'], ['hook', '--help']]) {
    const r = cli(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage: lockstep/, args.join(' '));
  }
});

test('status shows sessions, leases with holder and time left, recent edits, each with its source', () => {
  const r = cli(['status']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Sessions \(\d+ active/);
  assert.match(r.stdout, /human:alice {2}\[cli\]/);
  assert.match(r.stdout, /src\/a\.ts {2}held by human session alice \(human:alice\) {2}fence \d+ {2}\d+ min \d+ s left {2}\[lease table\]/);
  assert.doesNotMatch(r.stdout, /[0-9a-f]{32}/, 'no owner tokens');
  const st = json(['status']).body;
  assert.ok(st.sessions.every((s: any) => s.liveness.source === 'os'));
});

test('config shows and changes the settings hooks read; bad values are named', () => {
  const set = json(['config', '--ttl', '120', '--fail-open', 'off', '--scope-policy', 'warn']);
  assert.equal(set.status, 0, set.stderr);
  assert.deepEqual(set.body.config, { ttlSeconds: 120, failOpen: false, scopePolicy: 'warn' });
  const claimed = json(['claim', 'docs/ttl.md', '--session', 'human:ttl']);
  const left = claimed.body.leases[0].expiresAt - Date.now();
  assert.ok(left <= 120_000 && left > 60_000, `ttl from config: ${left} ms`);
  const bad = cli(['config', '--scope-policy', 'maybe']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--scope-policy 'maybe'/);
  assert.equal(json(['config', '--ttl', '900']).status, 0);
});

test('doctor reports a healthy store and says what it checked', () => {
  const r = json(['doctor']);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.body.healthy, true);
  assert.deepEqual([...new Set(r.body.checks.map((c: any) => c.name))], ['store folder', 'file system', 'lock', 'config', 'state', 'journal']);
});

test('hooks install writes the agent configuration (project scope) and is idempotent', () => {
  const r = json(['hooks', 'install', '--agent', 'claude', '--command', 'lockstep hook --agent claude', '--transport', 'command'], wt);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.body.changed, true);
  assert.ok(r.body.file.startsWith(wt), r.body.file);
  assert.match(fs.readFileSync(r.body.file, 'utf8'), /lockstep hook --agent claude/);
  const again = json(['hooks', 'install', '--agent', 'claude', '--command', 'lockstep hook --agent claude', '--transport', 'command'], wt);
  assert.equal(again.body.changed, false);
  const bad = cli(['hooks', 'install', '--agent', 'emacs']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--agent 'emacs'/);
});

test('journal --follow prints new entries as they happen', async () => {
  const child = spawn(process.execPath, [CLI, 'journal', '--follow', '--limit', '0'], { cwd: repo.root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(cli(['claim', 'src/followed.ts', '--session', 'human:dave']).status, 0);
    const deadline = Date.now() + 10_000;
    while (!/grant +src\/followed\.ts/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /grant +src\/followed\.ts {2}session human:dave/);
  } finally {
    child.kill('SIGTERM');
  }
});
