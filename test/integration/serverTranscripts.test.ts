// Agents without any Lockstep hook: the server follows their transcripts (Claude Code projects,
// Codex rollouts) in a temp CLAUDE_CONFIG_DIR / CODEX_HOME, and survives a restart, corrupt
// lines, partial lines, truncation, and transcripts of other repositories.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';
import { claudeProjectDirFor } from '../../src/agents/transcripts/claudeTranscript';
import { claudeEditLines, claudeUserLine } from '../fixtures/transcriptLines';

function codexMeta(id: string, cwd: string): string {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    type: 'session_meta',
    payload: { id, timestamp: new Date().toISOString(), cwd, originator: 'codex_cli_rs', cli_version: '0.46.0', instructions: null },
  });
}

function codexPatchApplied(files: string[]): string {
  const changes: Record<string, unknown> = {};
  for (const f of files) changes[f] = { update: { unified_diff: '@@ -1 +1 @@\n-a\n+b\n', move_path: null } };
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    type: 'event_msg',
    payload: { type: 'patch_apply_end', call_id: 'call_1', stdout: 'Success.', stderr: '', success: true, changes },
  });
}

describe('coordinator server: transcripts', () => {
  let repo: TempRepo;
  let other: TempRepo;
  let wt: string;
  let home: string;
  let claudeDir: string;
  let codexHome: string;
  let env: NodeJS.ProcessEnv;
  let server: ServerHandle | undefined;
  const claudeSession = randomUUID();
  const codexSession = randomUUID();
  let claudeFile: string;

  before(async () => {
    ensureBuilt();
    repo = makeTempRepo({ prefix: 'lockstep-tr-' });
    other = makeTempRepo({ prefix: 'lockstep-tr-other-' });
    wt = repo.addWorktree('wt-codex', 'codex-task');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
    claudeDir = path.join(home, 'claude-config');
    codexHome = path.join(home, 'codex-home');
    env = { CLAUDE_CONFIG_DIR: claudeDir, CODEX_HOME: codexHome, HOME: home };
    // Neither folder exists yet: the agents create them on first use, after the server started.
    server = await startServer({ root: repo.root, env });
    await server.waitFor('first snapshot', (s) => s.worktrees.length === 2);
  });

  after(async () => {
    await server?.stop();
    repo?.cleanup();
    other?.cleanup();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a Claude transcript appended line by line makes its session and files appear', async () => {
    const project = claudeProjectDirFor(repo.root, { CLAUDE_CONFIG_DIR: claudeDir });
    fs.mkdirSync(project, { recursive: true });
    claudeFile = path.join(project, `${claudeSession}.jsonl`);
    fs.writeFileSync(claudeFile, claudeUserLine(claudeSession, repo.root, 'fix the README') + '\n');
    const id = `claude:${claudeSession}`;
    let s = await server!.waitFor('the Claude session', (x) => x.sessions.some((y) => y.id === id));
    const session = s.sessions.find((y) => y.id === id)!;
    assert.deepEqual(session.sources, ['transcript']);
    assert.equal(session.worktree, repo.root);
    assert.equal(session.agent, 'claude');
    assert.equal(session.live, true);

    // Corrupt and unknown lines, then a tool line written in two parts (a partial last line).
    const line = claudeEditLines(claudeSession, repo.root, 'Edit', path.join(repo.root, 'src/a.ts'));
    fs.appendFileSync(claudeFile, '{"type":"assistant", not json\n\u0000\u0001garbage\n{"type":"summary","summary":"x"}\n[1,2,3]\n' + line.slice(0, 40));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!server!.state()!.edits.some((e) => e.session === id), 'half a line is not an edit yet');
    fs.appendFileSync(claudeFile, line.slice(40) + '\n');
    s = await server!.waitFor('src/a.ts edited by the Claude session', (x) =>
      x.edits.some((e) => e.session === id && e.key === 'src/a.ts' && e.worktree === repo.root && e.sources.includes('transcript')),
    );
    assert.deepEqual(s.edits.find((e) => e.session === id)!.tools, ['Edit']);

    // The file really changed: it is an unleased edit (no hook), naming the transcript session as its editor.
    fs.writeFileSync(path.join(repo.root, 'src/a.ts'), 'changed by claude\n');
    s = await server!.waitFor('unleased src/a.ts naming the editor', (x) => x.unleased.some((u) => u.key === 'src/a.ts' && u.editedBy.includes(id)));
    assert.ok(s.unleased.find((u) => u.key === 'src/a.ts')!.worktreeSessions.includes(id));
  });

  it('a Codex rollout whose cwd is a worktree of this repository is followed; others are ignored', async () => {
    const day = path.join(codexHome, 'sessions', '2026', '11', '27');
    fs.mkdirSync(day, { recursive: true });
    const mine = path.join(day, `rollout-2026-11-27T10-00-00-${codexSession}.jsonl`);
    fs.writeFileSync(mine, codexMeta(codexSession, wt) + '\n');
    fs.appendFileSync(mine, codexPatchApplied([path.join(wt, 'src/b.ts'), path.join(wt, 'docs/new.md')]) + '\n');
    // Another repository's Codex session, editing a file with the same relative name.
    const foreignId = randomUUID();
    const foreign = path.join(day, `rollout-2026-11-27T10-01-00-${foreignId}.jsonl`);
    fs.writeFileSync(foreign, codexMeta(foreignId, other.root) + '\n' + codexPatchApplied([path.join(other.root, 'src/b.ts')]) + '\n');
    // A Claude transcript of the other repository.
    const foreignProject = claudeProjectDirFor(other.root, { CLAUDE_CONFIG_DIR: claudeDir });
    fs.mkdirSync(foreignProject, { recursive: true });
    const foreignClaude = randomUUID();
    fs.writeFileSync(
      path.join(foreignProject, `${foreignClaude}.jsonl`),
      claudeUserLine(foreignClaude, other.root, 'hi') + '\n' + claudeEditLines(foreignClaude, other.root, 'Write', path.join(other.root, 'src/a.ts')) + '\n',
    );

    const id = `codex:${codexSession}`;
    const s = await server!.waitFor('codex session edits', (x) =>
      x.edits.some((e) => e.session === id && e.key === 'src/b.ts' && e.worktree === wt) && x.edits.some((e) => e.session === id && e.key === 'docs/new.md'),
    );
    assert.equal(s.sessions.find((y) => y.id === id)?.worktree, wt);
    // Give the foreign files time to be read (they were written before the Codex session's edits arrived).
    await new Promise((r) => setTimeout(r, 300));
    const now = server!.state()!;
    assert.ok(!now.sessions.some((y) => y.id === `codex:${foreignId}` || y.id === `claude:${foreignClaude}`), 'other repositories are ignored');
    assert.ok(!now.edits.some((e) => e.worktree === other.root));
  });

  it('follows Claude transcripts of a worktree added after the start', async () => {
    const late = repo.addWorktree('wt-late', 'late-task');
    await server!.waitFor('wt-late tracked', (x) => x.worktrees.some((w) => w.path === late));
    const id = randomUUID();
    const project = claudeProjectDirFor(late, { CLAUDE_CONFIG_DIR: claudeDir });
    fs.mkdirSync(project, { recursive: true });
    const file = path.join(project, `${id}.jsonl`);
    fs.writeFileSync(file, claudeUserLine(id, late, 'go') + '\n');
    await server!.waitFor('the late session', (x) => x.sessions.some((y) => y.id === `claude:${id}` && y.worktree === late));
    fs.appendFileSync(file, claudeEditLines(id, late, 'Write', path.join(late, 'late.txt')) + '\n');
    await server!.waitFor('its edit', (x) => x.edits.some((e) => e.session === `claude:${id}` && e.key === 'late.txt' && e.worktree === late));
  });

  it('a restarted server recovers sessions and edits from the transcripts, and the uncommitted files', async () => {
    const before = server!.state()!;
    await server!.stop();
    server = await startServer({ root: repo.root, env });
    const s = await server.waitFor('the same picture', (x) =>
      x.sessions.some((y) => y.id === `claude:${claudeSession}`) &&
      x.edits.some((e) => e.session === `codex:${codexSession}` && e.key === 'docs/new.md') &&
      x.unleased.some((u) => u.key === 'src/a.ts'),
    );
    assert.notEqual(s.epoch, before.epoch);
    const keys = (x: typeof s) => x.edits.map((e) => e.id).sort();
    assert.deepEqual(keys(s), keys(before));
    assert.deepEqual(
      s.unleased.map((u) => u.id).sort(),
      before.unleased.map((u) => u.id).sort(),
    );
  });

  it('a truncated transcript is read again from the start', async () => {
    const id = `claude:${claudeSession}`;
    fs.writeFileSync(claudeFile, claudeEditLines(claudeSession, repo.root, 'Write', path.join(repo.root, 'src/new-after-truncate.ts')) + '\n');
    await server!.waitFor('edit from the rewritten transcript', (x) => x.edits.some((e) => e.session === id && e.key === 'src/new-after-truncate.ts'));
    // Earlier facts are kept while the server runs (a restart can only know what transcripts still say).
    assert.ok(server!.state()!.edits.some((e) => e.session === id && e.key === 'src/a.ts'));
  });
});
