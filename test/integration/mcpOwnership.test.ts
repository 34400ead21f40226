// Only a lease's owner releases or takes it, through `lockstep mcp` too (#19 item 2): the MCP tools take
// a `session` argument, and naming another agent's session must act for nobody, as a forged hook payload
// or `lockstep release --session` does. The MCP server runs as its agent's child, so it proves a session
// by that agent process. Real MCP server driven by the SDK client, real hook processes, real repository;
// the agents are real processes whose identity is pinned through LOCKSTEP_AGENT_PID (as the scheduler does).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let victim: ChildProcess;
let intruder: ChildProcess;
let client: Client;

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_') && !['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'CODEX_SANDBOX', 'GEMINI_CLI'].includes(k)) out[k] = v;
  return { ...out, ...extra };
}

before(async () => {
  ensureBuilt();
  repo = makeTempRepo({ files: { 'a.ts': 'a\n', 'b.ts': 'b\n', 'c.ts': 'c\n' } });
  victim = spawn('sleep', ['600'], { stdio: 'ignore' });
  intruder = spawn('sleep', ['600'], { stdio: 'ignore' });
  client = new Client({ name: 'lockstep-test', version: '1.0.0' });
  // The intruder agent's MCP server: its session is claude:intruder-1, its agent process the intruder.
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], cwd: repo.root, env: cleanEnv({ LOCKSTEP_SESSION: 'claude:intruder-1', LOCKSTEP_AGENT_PID: String(intruder.pid) }), stderr: 'pipe' }));
});
after(async () => {
  await client?.close();
  victim?.kill('SIGKILL');
  intruder?.kill('SIGKILL');
  repo?.cleanup();
});

async function call(name: string, args: Record<string, unknown> = {}) {
  const r = (await client.callTool({ name, arguments: args })) as { structuredContent?: Record<string, any>; isError?: boolean; content: Array<{ text: string }> };
  return { ...r.structuredContent, isError: r.isError === true, text: r.content[0]?.text ?? '' } as Record<string, any>;
}

function holder(key: string): string | undefined {
  const r = runCli(['status', '--json'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout).leases as Array<{ key: string; session: string }>).find((l) => l.key === key)?.session;
}

test("the MCP tools naming another agent's session neither free nor take its leases, nor hand out its owner token", async () => {
  // The victim agent edits a.ts through its hook: leased under its session, its process recorded.
  const h = runCli(['hook', '--agent', 'claude'], { cwd: repo.root, input: JSON.stringify(claudeToolPayload('PreToolUse', 'victim-1', repo.root, path.join(repo.root, 'a.ts'))), env: { LOCKSTEP_SESSION: '', LOCKSTEP_AGENT_PID: String(victim.pid) } });
  assert.equal(h.status, 0, h.stderr);
  assert.equal(holder('a.ts'), 'claude:victim-1');

  const one = await call('release', { paths: ['a.ts'], session: 'claude:victim-1' });
  assert.equal(one.isError, true, 'releasing the victim\'s file is refused');
  assert.match(one.text, /session claude:victim-1 belongs to another agent process/);
  const all = await call('release', { all: true, session: 'claude:victim-1' });
  assert.equal(all.isError, true, 'releasing all the victim\'s leases is refused');
  assert.equal(holder('a.ts'), 'claude:victim-1', 'the victim still holds its file');

  const into = await call('claim', { paths: ['b.ts'], session: 'claude:victim-1' });
  assert.equal(into.isError, true, 'claiming into the victim session (and getting its owner token) is refused');
  assert.equal(into.leases, undefined);
  assert.equal(holder('b.ts'), undefined);

  // Under its own session the intruder's agent claims and releases as before.
  const own = await call('claim', { paths: ['c.ts'] });
  assert.equal(own.granted, true, own.text);
  assert.equal(holder('c.ts'), 'claude:intruder-1');
  const back = await call('release', { paths: ['c.ts'] });
  assert.equal(back.isError, false, back.text);
  assert.equal(holder('c.ts'), undefined);
});

test("a person's session is not released through an agent's MCP server", async () => {
  const claimed = runCli(['claim', 'b.ts', '--session', 'human:carol'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(claimed.status, 0, claimed.stderr);
  const r = await call('release', { paths: ['b.ts'], session: 'human:carol' });
  assert.equal(r.isError, true);
  assert.match(r.text, /human:carol is a person's session/);
  assert.equal(holder('b.ts'), 'human:carol');
});
