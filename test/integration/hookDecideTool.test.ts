// The `hook_decide` MCP tool (what Claude Code's mcp_tool hooks call) against the command hook:
// one story of Claude Code hook events, played once through `lockstep hook` processes in one
// repository and once through one long-lived `lockstep mcp` server in an identical repository,
// must give the same answers and leave the same lease table (sessions, leases, fencing tokens,
// edits). The tool's arguments are built the way Claude Code fills the installed handler's `input`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { claudeMcpToolHandler } from '../../src/agents/install/mcpToolHook';
import { loadPayload, mutate, PAYLOAD_DIR } from '../fixtures/payloads/loadPayload';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

const FIXTURE_ROOT = '/home/dev/shop';
const FILES = { 'src/api.ts': 'const limit = 10;\n', 'src/review.ts': 'x\n', 'README.md': '# shop\n' };

let cmdRepo: TempRepo;
let mcpRepo: TempRepo;
let client: Client;

/** The process environment without any LOCKSTEP_ variable (the hook reads several). */
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOCKSTEP_')) out[k] = v;
  return out;
}

before(async () => {
  ensureBuilt();
  cmdRepo = makeTempRepo({ files: FILES });
  mcpRepo = makeTempRepo({ files: FILES });
  client = new Client({ name: 'lockstep-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], cwd: mcpRepo.root, env: cleanEnv(), stderr: 'pipe' }));
});

after(async () => {
  await client?.close();
  cmdRepo?.cleanup();
  mcpRepo?.cleanup();
});

/** A Claude Code payload fixture moved into `root`. */
function fixture(name: string, root: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const text = JSON.stringify(mutate(loadPayload('claude', name), changes)).split(FIXTURE_ROOT).join(root);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Claude Code's `${path}` interpolation of the handler's input map (objects as JSON text, missing as ""). */
function interpolate(input: Record<string, unknown>, hookInput: Record<string, unknown>): Record<string, unknown> {
  const lookup = (dotted: string): unknown => dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), hookInput);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    out[k] =
      typeof v === 'string'
        ? v.replace(/\$\{([a-zA-Z_][a-zA-Z0-9_.]*)\}/g, (_, p: string) => {
            const x = lookup(p);
            return x === undefined || x === null ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x);
          })
        : v;
  }
  return out;
}

/** What Claude Code makes of an answer: the hook output object, or a failure that blocks (onFailure "block"). */
type Verdict = Record<string, any>;

function viaCommand(payload: Record<string, unknown>): Verdict {
  const r = runCli(['hook', '--agent', 'claude'], { cwd: cmdRepo.root, input: JSON.stringify(payload), env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_FAIL_OPEN: '', LOCKSTEP_READ_ONLY: '' } });
  if (r.status === 0) return JSON.parse(r.stdout.trim() || '{}');
  assert.equal(r.status, 2, r.stderr);
  // Exit 2: Claude Code blocks, and the stderr is the reason (on PreToolUse: a deny with that reason).
  const reason = r.stderr.trim();
  return payload.hook_event_name === 'PreToolUse' ? { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } } : { blocked: reason };
}

async function viaTool(payload: Record<string, unknown>): Promise<Verdict> {
  const handler = claudeMcpToolHandler(15, true) as { tool: string; input: Record<string, unknown> };
  const r = (await client.callTool({ name: handler.tool, arguments: interpolate(handler.input, payload) })) as { content: Array<{ type: string; text: string }>; isError?: boolean };
  const text = r.content.map((c) => c.text).join('\n');
  if (r.isError) return { blocked: text };
  return JSON.parse(text);
}

/** Minutes left in a reason depend on when each repository's lease was taken. */
const normalize = (v: Verdict, root: string) => JSON.parse(JSON.stringify(v).split(root).join('<repo>').replace(/for \d+ more minutes?/g, 'for N more minutes'));

function table(repo: TempRepo) {
  const st = JSON.parse(runCli(['status', '--json'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } }).stdout);
  return {
    sessions: st.sessions.map((s: any) => [s.id, s.endedAt !== undefined]).sort(),
    leases: st.leases.map((l: any) => [l.key, l.session, l.fence, l.inForce]).sort(),
    edits: st.edits.map((e: any) => [e.key, e.session, e.tool, e.source]).sort(),
  };
}

const S2 = { session_id: '11111111-2222-3333-4444-555555555555', transcript_path: '/home/dev/.claude/projects/-home-dev-shop/11111111-2222-3333-4444-555555555555.jsonl' };

/** [fixture, changes, what the answer must be]: the story both transports play. */
const STORY: Array<[string, Record<string, unknown>, 'allow' | 'deny' | 'ack' | 'blocked']> = [
  ['session-start', {}, 'ack'],
  ['user-prompt', {}, 'ack'],
  ['pre-edit', {}, 'allow'],
  ['post-edit', {}, 'ack'],
  // A second session wants the file the first holds.
  ['session-start', S2, 'ack'],
  ['pre-edit', S2, 'deny'],
  // … and writes it through the shell.
  ['pre-bash', { ...S2, 'tool_input.command': 'echo x >> src/api.ts' }, 'deny'],
  ['subagent-pre-edit', {}, 'allow'],
  ['pre-write', {}, 'allow'],
  ['pre-multiedit', {}, 'allow'],
  ['pre-notebook', {}, 'allow'],
  ['pre-read', {}, 'allow'],
  ['pre-bash', {}, 'allow'],
  // Bad input: no session id; a file outside the repository; a tool_input that is no object.
  ['pre-edit', { session_id: undefined }, 'deny'],
  ['pre-edit', { 'tool_input.file_path': '/etc/passwd' }, 'deny'],
  ['pre-edit', { tool_input: 'not an object' }, 'deny'],
  ['stop', {}, 'ack'],
  ['session-end', {}, 'ack'],
  // The first session ended: the second gets the file.
  ['pre-edit', S2, 'allow'],
  ['post-edit', S2, 'ack'],
];

const CHECKPOINTS = new Set([3, 6, 12, STORY.length - 1]);

function kindOf(v: Verdict): string {
  if (v.blocked) return 'blocked';
  return v.hookSpecificOutput?.permissionDecision === 'deny' ? 'deny' : 'allow-or-ack';
}

test('every Claude Code fixture is one the story plays', () => {
  const names = fs.readdirSync(path.join(PAYLOAD_DIR, 'claude')).map((f) => f.replace(/\.json$/, ''));
  assert.deepEqual(names.filter((n) => !STORY.some(([f]) => f === n)), []);
});

test('hook_decide answers every event of the story exactly as the command hook, and leaves the same lease table', async () => {
  for (const [i, [name, changes, want]] of STORY.entries()) {
    const cmd = viaCommand(fixture(name, cmdRepo.root, changes));
    const tool = await viaTool(fixture(name, mcpRepo.root, changes));
    const what = `step ${i} (${name} ${JSON.stringify(changes)})`;
    assert.deepEqual(normalize(tool, mcpRepo.root), normalize(cmd, cmdRepo.root), `${what}: the same answer`);
    assert.equal(kindOf(tool), want === 'deny' || want === 'blocked' ? want : 'allow-or-ack', `${what}: ${JSON.stringify(tool)}`);
    // `lockstep status` runs git: compared where the table changed most, and at the end.
    if (CHECKPOINTS.has(i)) assert.deepEqual(table(mcpRepo), table(cmdRepo), `${what}: the same lease table`);
  }
  const final = table(mcpRepo);
  assert.ok(final.leases.some(([key, session, , inForce]: any[]) => key === 'src/api.ts' && session === `claude:${S2.session_id}` && inForce), JSON.stringify(final));
  assert.ok(final.edits.some(([key, session]: any[]) => key === 'src/new.ts' && session === `claude:${S2.session_id}`), JSON.stringify(final));
});

test('the long-lived server reads the lease table on every call: a claim made meanwhile is seen at once', async () => {
  const root = mcpRepo.root;
  const sess = { session_id: '99999999-0000-0000-0000-000000000001' };
  const claim = runCli(['claim', 'README.md', '--session', 'human:alice'], { cwd: root, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(claim.status, 0, claim.stderr);
  const denied = await viaTool(fixture('pre-edit', root, { ...sess, 'tool_input.file_path': path.join(root, 'README.md') }));
  assert.equal(denied.hookSpecificOutput?.permissionDecision, 'deny', JSON.stringify(denied));
  assert.match(denied.hookSpecificOutput.permissionDecisionReason, /README\.md is held by the user \(human:alice\)/);
  const release = runCli(['release', 'README.md', '--session', 'human:alice'], { cwd: root, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(release.status, 0, release.stderr);
  const allowed = await viaTool(fixture('pre-edit', root, { ...sess, 'tool_input.file_path': path.join(root, 'README.md') }));
  assert.equal(allowed.hookSpecificOutput?.permissionDecision, undefined, JSON.stringify(allowed));
  assert.equal(table(mcpRepo).leases.find(([key]: any[]) => key === 'README.md')?.[1], `claude:${sess.session_id}`);
});

test('a broken store blocks through the tool as through the command hook (fail closed)', async () => {
  const root = mcpRepo.root;
  // The lock file made a directory: every transaction fails.
  const lock = path.join(root, '.git', 'lockstep', 'lock');
  fs.rmSync(lock, { force: true });
  fs.mkdirSync(lock);
  try {
    const v = await viaTool(fixture('pre-edit', root, { 'tool_input.file_path': path.join(root, 'src/review.ts') }));
    assert.equal(v.hookSpecificOutput?.permissionDecision, 'deny', JSON.stringify(v));
    assert.match(v.hookSpecificOutput.permissionDecisionReason, /^Lockstep could not check this edit/);
  } finally {
    fs.rmSync(lock, { recursive: true });
  }
});
