// The live demo: a sample repository with worktrees, a real VS Code (code-server) with Lockstep
// installed on it, and simulated agents (Claude Code and Codex dialects) contending for files
// through their real hooks. Prints the URL to open. Ctrl-C stops exactly what it started.
//
// Options: --smoke (exit 0 once the workbench answers
// and an agent has been denied a file; used by the test suite), --keep (keep the sample repo).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempRepo } from './support/tempRepo';
import { codeServerDirs, installExtension, startCodeServer, type RunningCodeServer } from './support/codeServer';

const { values } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
});
const projectRoot = path.resolve(__dirname, '..');
const vsix = path.join(projectRoot, 'dist', 'lockstep.vsix');
const cli = path.join(projectRoot, 'dist', 'cli.js');

function say(msg: string): void {
  process.stdout.write(`[demo] ${msg}\n`);
}

const SAMPLE: Record<string, string> = {
  'README.md': '# shop\nA sample service the demo agents work on.\n',
  'src/api/orders.ts': 'export function listOrders() {\n  return [];\n}\n',
  'src/api/users.ts': 'export function listUsers() {\n  return [];\n}\n',
  'src/db/schema.ts': 'export const tables = ["orders", "users"];\n',
  'src/ui/cart.tsx': 'export const Cart = () => null;\n',
  'src/ui/checkout.tsx': 'export const Checkout = () => null;\n',
  'package.json': '{ "name": "shop", "private": true }\n',
};

interface AgentSpec {
  name: string;
  agent: 'claude' | 'codex';
  cwd: string;
  files: string[];
  rounds: number;
  thinkMs: number;
  holdMs: number;
}

const children = new Set<ChildProcess>();
let server: RunningCodeServer | undefined;
let stopping = false;

function startAgent(spec: AgentSpec, onLine: (line: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(projectRoot, 'scripts', 'simulatedAgent.ts'),
      '--agent', spec.agent, '--session', `${spec.name}-${Date.now().toString(36)}`, '--cwd', spec.cwd,
      '--files', spec.files.join(','), '--rounds', String(spec.rounds), '--think-ms', String(spec.thinkMs), '--hold-ms', String(spec.holdMs), '--cli', cli,
    ],
    // cwd: the project, so `--import tsx` resolves; the agent works in --cwd.
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: projectRoot },
  );
  children.add(child);
  child.stdout!.setEncoding('utf8');
  let buf = '';
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  child.on('exit', () => children.delete(child));
  return child;
}

async function main(): Promise<void> {
  if (!fs.existsSync(vsix) || !fs.existsSync(cli)) throw new Error('dist/lockstep.vsix or dist/cli.js is missing: run `npm run demo` (it builds first)');
  const repo = makeTempRepo({ files: SAMPLE, prefix: 'lockstep-demo-' });
  const wtCodex = repo.addWorktree('shop-codex', 'lockstep/ui');
  say(`sample repository: ${repo.root} (worktree for codex: ${wtCodex})`);

  const dirs = codeServerDirs(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-demo-vscode-')));
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'security.workspace.trust.enabled': false, 'workbench.colorTheme': 'Default Dark Modern' }, null, 2),
  );
  say('installing the extension into code-server');
  await installExtension(dirs, vsix);
  server = await startCodeServer(dirs, repo.root, {}, 60_000);
  // code-server listens on a free port of 127.0.0.1 (a fixed one may be taken).
  const url = `${server.url}?folder=${encodeURIComponent(repo.root)}`;
  say(`VS Code with Lockstep is up: open ${url}`);

  let denials = 0;
  const onLine = (line: string) => {
    if (line.includes('DENIED')) denials++;
    process.stdout.write(`  ${line}\n`);
  };
  // A Claude session and a Codex session (in another worktree) both want src/api/orders.ts: the
  // key is logical, so they contend. A third agent is killed mid-way to show dead-agent release.
  const cast: AgentSpec[] = [
    { name: 'alice', agent: 'claude', cwd: repo.root, files: ['src/api/orders.ts', 'src/db/schema.ts'], rounds: 8, thinkMs: 2500, holdMs: 2000 },
    { name: 'bob', agent: 'codex', cwd: wtCodex, files: ['src/api/orders.ts', 'src/ui/cart.tsx'], rounds: 12, thinkMs: 2000, holdMs: 1500 },
    { name: 'carol', agent: 'claude', cwd: repo.root, files: ['src/api/users.ts', 'src/api/orders.ts'], rounds: 1_000, thinkMs: 3000, holdMs: 2000 },
  ];
  const loop = (spec: AgentSpec) => {
    if (stopping) return;
    const child = startAgent(spec, onLine);
    child.on('exit', () => setTimeout(() => loop(spec), 4000));
    if (spec.name === 'carol') {
      setTimeout(() => {
        if (child.exitCode === null && !stopping) {
          say(`killing agent carol (pid ${child.pid}) with SIGKILL: its locks are freed at once`);
          child.kill('SIGKILL');
        }
      }, 20_000);
    }
  };
  for (const spec of cast) loop(spec);
  // A write that escapes the hooks (as through an agent's shell tool): an "unleased edit".
  const shellWrites = setInterval(() => {
    if (stopping) return;
    fs.appendFileSync(path.join(wtCodex, 'src/ui/checkout.tsx'), `// shell write ${new Date().toISOString()}\n`);
  }, 15_000);

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(shellWrites);
    say('stopping the agents and VS Code');
    // Agents end their sessions (releasing their locks) on SIGTERM; stragglers are killed.
    const exits = [...children].map((c) => new Promise<void>((r) => c.once('exit', () => r())));
    for (const c of children) c.kill('SIGTERM');
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 8000))]);
    for (const c of children) c.kill('SIGKILL');
    await server?.stop();
    if (!values.keep) {
      fs.rmSync(dirs.root, { recursive: true, force: true });
      repo.cleanup();
    } else say(`kept ${repo.root}`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  if (values.smoke) {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const res = await fetch(url).then((r) => r.status, () => 0);
      if (res === 200 && denials > 0) {
        say(`smoke: workbench answered 200 and ${denials} edit(s) were denied`);
        return stop(0);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    say('smoke: FAILED (no workbench answer or no denial within 90 s)');
    return stop(1);
  }
  say('press Ctrl-C to stop');
}

main().catch((e) => {
  process.stderr.write(`[demo] ${e instanceof Error ? e.message : String(e)}\n`);
  for (const c of children) c.kill('SIGKILL');
  void server?.stop().finally(() => process.exit(1));
});
