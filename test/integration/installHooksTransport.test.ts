// VS Code's Install Agent Hooks (the coordinator's `installHooks` request) chooses Claude Code's hook
// transport as `lockstep hooks install` does: with the real Claude Code (the pinned dev dependency,
// 2.1.328+) on PATH, mcp_tool hooks, the lockstep server registered in .mcp.json and pre-approved in
// the user's local settings, which git is told to ignore; with no claude on PATH, command hooks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer } from './serverHarness';

const repos: TempRepo[] = [];
let base: string;

before(() => {
  ensureBuilt();
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-install-transport-')));
});
after(() => {
  for (const r of repos) r.cleanup();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** The coordinator of a fresh repository, in a home of its own, with `PATH`. */
async function installClaude(name: string, pathDirs: string[]) {
  const repo = makeTempRepo({ prefix: `lockstep-install-${name}-` });
  repos.push(repo);
  const home = path.join(base, name);
  fs.mkdirSync(home);
  const env = { HOME: home, LOCKSTEP_HOME: path.join(home, '.lockstep'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'), PATH: [...pathDirs, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter) };
  const server = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  try {
    const result = await server.request('installHooks', { agent: 'claude', scope: 'project' });
    const settings = JSON.parse(fs.readFileSync(path.join(repo.root, '.claude/settings.json'), 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<Record<string, unknown>> }>> };
    const pre = settings.hooks.PreToolUse!.flatMap((g) => g.hooks);
    // What Lockstep wrote in the repository is the user's edit, not an unleased one.
    const snap = await server.waitFor('the hook configuration as the user\'s edit', (x) => x.edits.some((e) => e.key === '.claude/settings.json' && e.session === 'vscode:tester') && x.worktrees.some((w) => (w.changedFiles ?? 0) > 0), 30_000);
    assert.deepEqual(snap.unleased.map((u) => u.key), []);
    return { repo, result, pre };
  } finally {
    await server.stop();
  }
}

test('with Claude Code 2.1.328+ on PATH: mcp_tool hooks, the server registered and pre-approved, the approval kept out of git', async () => {
  const { repo, result, pre } = await installClaude('with-claude', [path.join(PROJECT_ROOT, 'node_modules', '.bin')]);
  assert.ok(pre.some((h) => h.type === 'mcp_tool'), `PreToolUse: ${JSON.stringify(pre)}`);
  assert.ok(!pre.some((h) => h.type === 'command'), `PreToolUse: ${JSON.stringify(pre)}`);
  assert.match(result.text, /answered by the lockstep MCP server .*pre-approved/);
  const mcp = JSON.parse(fs.readFileSync(path.join(repo.root, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
  assert.ok(mcp.mcpServers.lockstep, JSON.stringify(mcp));
  const local = JSON.parse(fs.readFileSync(path.join(repo.root, '.claude/settings.local.json'), 'utf8')) as { enabledMcpjsonServers?: string[] };
  assert.deepEqual(local.enabledMcpjsonServers, ['lockstep']);
  assert.equal(repo.git('status', '--porcelain', '--', '.claude/settings.local.json'), '', 'the local approval is ignored by git');
  assert.deepEqual(result.files.map((f) => path.relative(repo.root, f)).sort(), ['.claude/settings.json', '.claude/settings.local.json', '.mcp.json']);
});

test('with no claude on PATH: command hooks that fail closed, no server registered', async () => {
  const { repo, result, pre } = await installClaude('without-claude', []);
  assert.ok(pre.length > 0 && pre.every((h) => h.type === 'command'), `PreToolUse: ${JSON.stringify(pre)}`);
  assert.ok(pre.every((h) => h.onFailure === 'block'), `PreToolUse: ${JSON.stringify(pre)}`);
  assert.match(result.text, /command hooks: no claude on PATH/);
  assert.equal(fs.existsSync(path.join(repo.root, '.mcp.json')), false);
});
