// What a hook decision costs inside the real Claude Code: command hooks (a process per event)
// against mcp_tool hooks served by `lockstep mcp` (`hooks install --transport mcp`), and against no
// hooks at all. One scripted session of 20 tool calls per setting (scripted model endpoint):
//   8 edits of free files (allow: PreToolUse + PostToolUse), 6 edits of a file another session holds
//   (deny: PreToolUse only), 6 `Bash true` calls (writes nothing: answered without the store).
// Figures per kind of call: the tool round trip as the model sees it (the reply asking for the tool
// to the request carrying its result), and from Claude Code's debug log the hook's own time (command:
// "finished … (N ms)"; mcp_tool: "calling" to its answer). Ratios against `node -e 0` and the no-hook
// session, all measured in this process. Setting "mcp+sh" is the runtime fallback Lockstep does not
// install (mcpToolHook.ts): beside each mcp_tool handler a command hook that exits at once, the
// cheapest a "decide unless the server did" gate could be. Setting "mcp-stub" is the floor: the same
// mcp_tool hooks answered "{}" at once by a stand-in server that touches no store
// (fixtures/stubHookServer.mjs), so what remains is Claude Code's own cost of an mcp_tool hook.
// Then the same sessions with a model that takes --think-ms (default 1000) to answer each turn, as a
// hosted model does at the very least: what the hooks add to a session as a user lives it.
//   node --import tsx test/bench/mcpToolHook.bench.ts [--runs N] [--think-ms MS]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Turn } from '../realAgents/modelServer';
import { makeRealAgentWorld } from '../realAgents/harness';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 2;
const thinkAt = process.argv.indexOf('--think-ms');
const THINK_MS = thinkAt >= 0 ? Number(process.argv[thinkAt + 1]) : 1000;
const FREE = 8;
const HELD = 6;
const SHELL = 6;

type Setting = 'none' | 'command' | 'mcp' | 'mcp+sh' | 'mcp-stub';
const SETTINGS: readonly Setting[] = ['none', 'command', 'mcp', 'mcp+sh', 'mcp-stub'];
type Kind = 'allow' | 'deny' | 'shell';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

function nodeBaseline(): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const files: Record<string, string> = { 'src/held.ts': 'export const held = 0;\n' };
for (let i = 0; i < FREE; i++) files[`src/f${i}.ts`] = `export const f${i} = 0;\n`;

/** The session's tool calls, interleaved, with the kind of each. */
function script(root: string, run: number): Array<{ kind: Kind; turn: Turn }> {
  const out: Array<{ kind: Kind; turn: Turn }> = [];
  for (let i = 0; i < Math.max(FREE, HELD, SHELL); i++) {
    if (i < FREE) out.push({ kind: 'allow', turn: { tool: 'Edit', args: { file_path: path.join(root, `src/f${i}.ts`), old_string: `f${i} = ${run}`, new_string: `f${i} = ${run + 1}` } } });
    if (i < HELD) out.push({ kind: 'deny', turn: { tool: 'Edit', args: { file_path: path.join(root, 'src/held.ts'), old_string: 'held = 0', new_string: 'held = 1' } } });
    if (i < SHELL) out.push({ kind: 'shell', turn: { tool: 'Bash', args: { command: 'true', description: 'nothing' } } });
  }
  return out;
}

/** Hook durations (ms) in a Claude Code debug log, in order: command hooks and mcp_tool hooks on tool events. */
function hookTimes(home: string): number[] {
  const dir = path.join(home, '.claude', 'debug');
  const lines = fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) : [];
  const at = (l: string) => Date.parse(l.slice(0, 24));
  const out: number[] = [];
  let calling: number | undefined;
  for (const l of lines) {
    const cmd = /Hooks: (PreToolUse|PostToolUse):\w+ \[.*\] finished with status \d+ \((\d+)ms\)/.exec(l);
    if (cmd) out.push(Number(cmd[2]));
    if (/Hooks: mcp_tool calling lockstep\/hook_decide/.test(l)) calling = at(l);
    else if (calling !== undefined && /"Hook (PreToolUse|PostToolUse|UserPromptSubmit)[:\w]* \(\w+\) success/.test(l)) {
      if (!/UserPromptSubmit/.test(l)) out.push(at(l) - calling);
      calling = undefined;
    }
  }
  return out;
}

async function session(setting: Setting, thinkMs = 0) {
  const world = makeRealAgentWorld({ hooksFor: setting === 'none' ? [] : ['claude'], hookTransport: setting.startsWith('mcp') ? 'mcp' : 'command', files });
  if (setting === 'mcp+sh') {
    const file = path.join(world.repo.root, '.claude', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const groups of Object.values(settings.hooks) as Array<Array<{ hooks: Array<{ type: string }> }>>) {
      for (const g of groups) if (g.hooks.some((h) => h.type === 'mcp_tool')) g.hooks.push({ type: 'command', command: "LOCKSTEP_HOOK=1 sh -c 'exit 0'", timeout: 15 } as never);
    }
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
    world.repo.commitAll('mcp+sh');
  }
  if (setting === 'mcp-stub') {
    const file = path.join(world.repo.root, '.mcp.json');
    const mcp = JSON.parse(fs.readFileSync(file, 'utf8'));
    mcp.mcpServers.lockstep = { command: process.execPath, args: [path.join(__dirname, 'fixtures', 'stubHookServer.mjs')] };
    fs.writeFileSync(file, JSON.stringify(mcp, null, 2));
    world.repo.commitAll('mcp-stub');
  }
  world.lockstep(['claim', 'src/held.ts', '--session', 'human:other', '--ttl', '3600']);
  const byKind: Record<Kind, number[]> = { allow: [], deny: [], shell: [] };
  const walls: number[] = [];
  const hooks: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const steps = script(world.repo.root, r);
      const run = await world.run('claude', steps.map((s) => s.turn), { modelThinkMs: thinkMs });
      const main = run.server.mainRequests();
      steps.forEach((s, i) => byKind[s.kind].push(main[i + 1]!.at - main[i]!.repliedAt!));
      walls.push(main[steps.length]!.at - main[0]!.repliedAt!);
      hooks.push(...hookTimes(run.home));
    }
  } finally {
    await world.cleanup();
  }
  return { byKind, wall: median(walls), hook: median(hooks), hookCalls: hooks.length / RUNS };
}

async function main() {
  const baseline = nodeBaseline();
  console.log(`baseline: node -e 0 = ${baseline.toFixed(0)} ms; ${RUNS} run(s) of a ${FREE + HELD + SHELL}-tool-call session per setting (real Claude Code, scripted model)`);
  const results: Record<Setting, Awaited<ReturnType<typeof session>>> = {} as never;
  for (const s of SETTINGS) results[s] = await session(s);
  const none = results.none;
  console.log('setting   session wall (ms)  vs no hooks  round trip allow / deny / shell (ms)  extra per call vs no hooks (ms)  hook calls  hook time median (ms)  hook / node -e 0');
  for (const s of SETTINGS) {
    const r = results[s];
    const rt = (k: Kind) => median(r.byKind[k]);
    const extra = (k: Kind) => rt(k) - median(none.byKind[k]);
    console.log(
      `${(s === 'mcp' ? 'mcp_tool' : s).padEnd(8)}  ${r.wall.toFixed(0).padStart(17)}  ${(r.wall / none.wall).toFixed(2).padStart(10)}x  ${`${rt('allow').toFixed(0)} / ${rt('deny').toFixed(0)} / ${rt('shell').toFixed(0)}`.padStart(36)}  ${s === 'none' ? '-'.padStart(31) : `${extra('allow').toFixed(0)} / ${extra('deny').toFixed(0)} / ${extra('shell').toFixed(0)}`.padStart(31)}  ${r.hookCalls.toFixed(0).padStart(10)}  ${Number.isNaN(r.hook) ? '-'.padStart(21) : r.hook.toFixed(1).padStart(21)}  ${Number.isNaN(r.hook) ? '-' : `${(r.hook / baseline).toFixed(2)}x`}`,
    );
  }
  const c = results.command;
  const m = results.mcp;
  console.log(`mcp_tool / command: session wall ${(m.wall / c.wall).toFixed(2)}x, hook time ${(m.hook / c.hook).toFixed(2)}x`);
  const sh = results['mcp+sh'];
  console.log(`mcp+sh / mcp_tool: session wall ${(sh.wall / m.wall).toFixed(2)}x (what a command-hook fallback beside each mcp_tool hook would cost)`);
  const stub = results['mcp-stub'];
  console.log(`mcp-stub / no hooks: session wall ${(stub.wall / none.wall).toFixed(2)}x (Claude Code's own cost of its mcp_tool hooks, with a server that decides nothing); mcp_tool / mcp-stub: ${(m.wall / stub.wall).toFixed(2)}x (what Lockstep's decisions add)`);
  if (THINK_MS > 0) {
    console.log(`with a model that takes ${THINK_MS} ms to answer each turn:`);
    const thinking: Partial<Record<Setting, Awaited<ReturnType<typeof session>>>> = {};
    for (const s of ['none', 'command', 'mcp'] as const) thinking[s] = await session(s, THINK_MS);
    for (const s of ['none', 'command', 'mcp'] as const) {
      const r = thinking[s]!;
      console.log(`${(s === 'mcp' ? 'mcp_tool' : s).padEnd(8)}  session wall ${r.wall.toFixed(0).padStart(6)} ms  ${(r.wall / thinking.none!.wall).toFixed(3)}x no hooks`);
    }
  }
}

void main();
