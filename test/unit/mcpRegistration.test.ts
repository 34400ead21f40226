// `lockstep mcp` registered where each agent reads MCP servers: merged, idempotent, removable.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { registerMcpServer, unregisterMcpServer } from '../../src/agents/mcpRegistration';

const server = { command: '/usr/bin/node', args: ['/opt/lockstep/dist/cli.js', 'mcp'] };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-mcpreg-'));
}

test('Claude Code: .mcp.json merged with the servers already there, a second registration changes no byte, removal keeps the others', () => {
  const root = tmp();
  const file = path.join(root, '.mcp.json');
  fs.writeFileSync(file, JSON.stringify({ mcpServers: { other: { command: 'other-mcp' } } }));
  assert.equal(registerMcpServer({ agent: 'claude', scope: 'project', repoRoot: root, server }).changed, true);
  const written = fs.readFileSync(file, 'utf8');
  assert.deepEqual(JSON.parse(written).mcpServers, { other: { command: 'other-mcp' }, lockstep: { type: 'stdio', ...server } });
  assert.equal(registerMcpServer({ agent: 'claude', scope: 'project', repoRoot: root, server }).changed, false);
  assert.equal(fs.readFileSync(file, 'utf8'), written);
  assert.equal(unregisterMcpServer({ agent: 'claude', scope: 'project', repoRoot: root }).changed, true);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { mcpServers: { other: { command: 'other-mcp' } } });
  fs.rmSync(root, { recursive: true });
});

test('VS Code .vscode/mcp.json (servers), Cursor .cursor/mcp.json and Gemini settings: created, then removed with the file Lockstep made', () => {
  const root = tmp();
  for (const [agent, rel, key] of [['vscode', '.vscode/mcp.json', 'servers'], ['cursor', '.cursor/mcp.json', 'mcpServers'], ['gemini', '.gemini/settings.json', 'mcpServers']] as const) {
    registerMcpServer({ agent, scope: 'project', repoRoot: root, server });
    const data = JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));
    assert.equal(data[key].lockstep.command, server.command, agent);
    unregisterMcpServer({ agent, scope: 'project', repoRoot: root });
    assert.equal(fs.existsSync(path.join(root, rel)), false, `${agent}: the file only Lockstep used is gone`);
  }
  fs.rmSync(root, { recursive: true });
});

test('Codex: [mcp_servers.lockstep] in config.toml beside the user\'s own tables, replaced in place, removed alone', () => {
  const root = tmp();
  const file = path.join(root, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(file));
  const own = 'model = "gpt-5"\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n';
  fs.writeFileSync(file, own);
  registerMcpServer({ agent: 'codex', scope: 'project', repoRoot: root, server });
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /\[mcp_servers\.lockstep\]\ncommand = "\/usr\/bin\/node"\nargs = \["\/opt\/lockstep\/dist\/cli\.js", "mcp"\]\n/);
  assert.ok(text.startsWith(own));
  assert.equal(registerMcpServer({ agent: 'codex', scope: 'project', repoRoot: root, server }).changed, false);
  registerMcpServer({ agent: 'codex', scope: 'project', repoRoot: root, server: { command: 'lockstep', args: ['mcp'] } });
  assert.equal(fs.readFileSync(file, 'utf8').match(/mcp_servers\.lockstep/g)!.length, 1, 'replaced, not added twice');
  unregisterMcpServer({ agent: 'codex', scope: 'project', repoRoot: root });
  assert.equal(fs.readFileSync(file, 'utf8').trimEnd(), own.trimEnd());
  fs.rmSync(root, { recursive: true });
});

test('a malformed configuration is reported in one line and left untouched', () => {
  const root = tmp();
  const file = path.join(root, '.mcp.json');
  fs.writeFileSync(file, '{ not json');
  assert.throws(() => registerMcpServer({ agent: 'claude', scope: 'project', repoRoot: root, server }), /\.mcp\.json: not valid JSON; fix it, then install again \(nothing was written\)/);
  assert.equal(fs.readFileSync(file, 'utf8'), '{ not json');
  fs.rmSync(root, { recursive: true });
});
