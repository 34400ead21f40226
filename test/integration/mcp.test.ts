// `lockstep mcp` driven by the MCP SDK's own client over stdio, in a real repository without VS Code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { stringify } from 'yaml';
import { openRepoStore } from '../../src/store/openRepoStore';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let client: Client;
let stopFile: string | undefined;

function env(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) out[k] = v;
  return { ...out, ...extra };
}

before(async () => {
  ensureBuilt();
  repo = makeTempRepo();
  // A plan whose agent is a stand-in that runs until its prompt (a file path) exists: task_start really starts it.
  stopFile = path.join(path.dirname(repo.root), 'stop-agents');
  const standIn = ['node', '-e', "const f=process.argv[1];const t=setInterval(()=>{if(require('fs').existsSync(f))clearInterval(t)},100);setTimeout(()=>clearInterval(t),60000)", '{prompt}'];
  repo.write('.lockstep/plan.yaml', stringify({ target: 'main', agents: { 'stand-in': standIn }, tasks: [{ id: 'api', title: 'API', agent: 'stand-in', prompt: stopFile, scope: ['src/a.ts'] }] }));
  repo.commitAll('plan');
  client = new Client({ name: 'lockstep-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], cwd: repo.root, env: env({ LOCKSTEP_SESSION: 'claude:lead' }), stderr: 'pipe' }));
});

after(async () => {
  if (stopFile) fs.writeFileSync(stopFile, '');
  await client?.close();
  repo?.cleanup();
});

async function call(name: string, args: Record<string, unknown> = {}) {
  const r = (await client.callTool({ name, arguments: args })) as { structuredContent?: Record<string, any>; isError?: boolean; content: Array<{ text: string }> };
  return { ...r.structuredContent, isError: r.isError === true, text: r.content[0]?.text ?? '' } as Record<string, any>;
}

test('the server lists every tool with an input schema', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, ['claim', 'hook_decide', 'inbox', 'log', 'matrix', 'note', 'release', 'send', 'status', 'task_add', 'task_list', 'task_start']);
  const claim = tools.find((t) => t.name === 'claim')!;
  assert.deepEqual((claim.inputSchema as { required?: string[] }).required, ['paths']);
});

test('claim, status and release act for LOCKSTEP_SESSION; a claim on a held file is a clear tool error', async () => {
  const granted = await call('claim', { paths: ['src/a.ts'] });
  assert.equal(granted.granted, true);
  assert.equal(granted.leases[0].key, 'src/a.ts');
  const st = await call('status');
  assert.deepEqual(st.leases.map((l: any) => [l.key, l.session]), [['src/a.ts', 'claude:lead']]);
  const denied = await call('claim', { paths: ['src/a.ts'], session: 'codex:other' });
  assert.equal(denied.isError, true);
  assert.match(denied.text, /src\/a\.ts is held by/);
  assert.equal(denied.denials[0].holder, 'claude:lead');
  // The holder is told who waits for which file (once, however often the claim is retried).
  await call('claim', { paths: ['src/a.ts'], session: 'codex:other' });
  const told = (await call('inbox', { peek: true })).messages.filter((m: any) => m.from === 'codex:other');
  assert.deepEqual(told.map((m: any) => m.text), ['codex:other is waiting for src/a.ts, which you hold: finish your edits there and release it when you can.']);
  await call('inbox');
  const bad = await call('claim', { paths: ['src/a.ts'], session: 'nobody' });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /expected <agent>:<id>/);
  assert.deepEqual((await call('release', { all: true })).released.map((l: any) => l.key), ['src/a.ts']);
});

test('note, log, send and inbox share the store with the CLI', async () => {
  const noted = await call('note', { text: 'Use one zod schema per message' });
  assert.equal(noted.note.n, 1);
  assert.equal(noted.note.by, 'claude:lead');
  assert.match(runCli(['log'], { cwd: repo.root }).stdout, /#1 claude:lead: Use one zod schema per message/);
  const sent = await call('send', { to: 'codex:worker', text: 'take src/b.ts next' });
  assert.deepEqual(sent.recipients, ['codex:worker']);
  assert.deepEqual(sent.woken, [], 'no waiter: it waits for the next event');
  // Another session's inbox is only peeked at: its agent still receives the message.
  const peeked = await call('inbox', { session: 'codex:worker' });
  assert.deepEqual(peeked.messages.map((m: any) => m.text), ['take src/b.ts next']);
  assert.equal(peeked.peek, true);
  assert.match(peeked.text, /^peeked at codex:worker's inbox: the message stays unread/);
  assert.deepEqual((await call('inbox', { session: 'codex:worker' })).messages.map((m: any) => m.text), ['take src/b.ts next'], 'still unread');
  const own = JSON.parse(runCli(['inbox', '--json'], { cwd: repo.root, env: env({ LOCKSTEP_SESSION: 'codex:worker' }) }).stdout);
  assert.deepEqual([own.peek, own.messages.map((m: any) => m.text)], [false, ['take src/b.ts next']]);
  assert.deepEqual((await call('inbox', { session: 'codex:worker' })).messages, [], 'read once, by its own session');
  assert.deepEqual((await call('log', { since: 0 })).notes.map((n: any) => n.n), [1]);
  const empty = await call('send', { to: ' ', text: 'x' });
  assert.equal(empty.isError, true);
});

test('a lead adds tasks and starts them: started with worktree and branch, or queued with the reason', async () => {
  const added = await call('task_add', { id: 'docs', title: 'Docs', prompt: stopFile, agent: 'stand-in', scope: ['README.md'], phase: 1 });
  assert.equal(added.added, 'docs');
  assert.match(fs.readFileSync(path.join(repo.root, '.lockstep/plan.yaml'), 'utf8'), /id: docs/);
  // The calling session is the task's lead: it gets the phase's report when the phase is done.
  assert.deepEqual(openRepoStore(repo.root).store.read().tasks['docs']?.lead, { sessions: ['claude:lead'], phase: 1 });
  const started = await call('task_start', { id: 'api' });
  assert.equal(started.status, 'started', started.text);
  assert.match(started.branch, /api/);
  assert.ok(fs.existsSync(started.worktree), 'its worktree exists');
  // The same scope as a running task: the gate queues it and says why.
  const clash = await call('task_add', { id: 'api2', title: 'API 2', prompt: stopFile, agent: 'stand-in', scope: ['src/a.ts'], start: true });
  assert.equal(clash.status, 'queued', clash.text);
  assert.match(clash.reason, /api/);
  const dup = await call('task_add', { id: 'docs', title: 'Docs', prompt: 'again' });
  assert.equal(dup.isError, true);
  assert.match(dup.text, /already exists/);
  const list = await call('task_list');
  assert.deepEqual(list.tasks.map((t: any) => t.id).sort(), ['api', 'api2', 'docs']);
  const matrix = await call('matrix', { planned: true });
  assert.ok(matrix.participants.some((p: any) => p.id === 'api2'));
});
