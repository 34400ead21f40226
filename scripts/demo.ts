// The live demo: a sample repository with a plan in place, a real VS Code (code-server) with Lockstep
// installed on it, and the whole product at work: the scheduler starts the plan's tasks in their own
// worktrees (simulated agents speaking Claude Code's and Codex's real hook protocol), an overlapping
// task waits with its reason, a stray agent outside the plan holds a file a task needs and is killed
// (its lease is freed at once), the conflict matrix shows the live overlap appear, phase 1 lands
// atomically (verified), phase 2 opens, and the last landing is undone. Every step is announced here
// and, through the extension's own notifications, in VS Code. Ctrl-C stops exactly what it started.
//
// Options: --smoke (fast pacing; checks that every step happened, with a headless browser as the
//          visitor taking a screenshot per step into test-artifacts/demo/, and exits; used by the
//          test suite), --keep (keep the sample repository), --pace <factor> (slower or faster than
//          the default), --no-vscode (the plan in the terminal only, without code-server).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { CLI } from './support/cli';
import { codeServerDirs, installExtension, startCodeServer, type RunningCodeServer } from './support/codeServer';
import { artifactsDir } from './support/paths';
import { makeTempRepo, type TempRepo } from './support/tempRepo';
import { visit, type Visitor } from './support/visitor';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    pace: { type: 'string' },
    'no-vscode': { type: 'boolean', default: false },
  },
});
const projectRoot = path.resolve(__dirname, '..');
const vsix = path.join(projectRoot, 'dist', 'lockstep.vsix');
const simulatedAgent = path.join(projectRoot, 'scripts', 'simulatedAgent.ts');
const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
const withVscode = !values['no-vscode'];
/** Multiplies every pause: the smoke run is quick, a visitor gets time to look. */
const pace = Number(values.pace ?? (values.smoke ? 0.25 : 1));
if (!(pace > 0)) {
  process.stderr.write(`[demo] --pace must be a positive number, got '${values.pace}'\n`);
  process.exit(2);
}

function say(msg: string): void {
  process.stdout.write(`[demo] ${msg}\n`);
}
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms * pace));
}

/** The sample service the agents work on. */
const SAMPLE: Record<string, string> = {
  'README.md': '# shop\nA sample service the demo agents work on.\n',
  'src/api/orders.ts': 'export function listOrders() {\n  return [];\n}\n',
  'src/api/users.ts': 'export function listUsers() {\n  return [];\n}\n',
  'src/db/schema.ts': 'export const tables = ["orders", "users"];\n',
  'src/ui/cart.tsx': 'export const Cart = () => null;\n',
  'src/ui/checkout.tsx': 'export const Checkout = () => null;\n',
  'scripts/verify.js': [
    "// The plan's check, run on every landing candidate: each module still exports what it did.",
    "const fs = require('node:fs');",
    "for (const [file, name] of [['src/api/orders.ts', 'listOrders'], ['src/api/users.ts', 'listUsers'], ['src/ui/cart.tsx', 'Cart']]) {",
    "  if (!fs.readFileSync(file, 'utf8').includes(name)) { console.error(`${file} lost ${name}`); process.exit(1); }",
    '}',
    "console.log('verify: ok');",
    '',
  ].join('\n'),
  'package.json': '{ "name": "shop", "private": true }\n',
};

/**
 * What a simulated agent does for its task (its prompt, read by scripts/simulatedAgent.ts). A
 * read-only task gets no edits: every edit of its would be denied, and it would only retry.
 */
function taskScript(edit: string[], commit?: string): string {
  return JSON.stringify({ edit, thinkMs: Math.round(2500 * pace), attempts: 400, ...(commit ? { commit } : {}) });
}

/** Two phases, a dependency, a read-only investigator, two writers whose scopes overlap, a cap of 3. */
function samplePlan(): string {
  const agent = (dialect: 'claude' | 'codex') => [process.execPath, '--import', tsxLoader, simulatedAgent, '--agent', dialect, '--task-script', '{promptFile}'];
  const plan = {
    target: 'main',
    maxParallel: 3,
    verify: ['node', 'scripts/verify.js'],
    agents: { claude: agent('claude'), codex: agent('codex') },
    tasks: [
      { id: 'investigate', title: 'Find where orders are validated', agent: 'codex', readOnly: true, prompt: taskScript([]) },
      { id: 'api', title: 'Paginate the orders and users API', agent: 'claude', scope: ['src/api/**'], prompt: taskScript(['src/api/users.ts', 'src/api/orders.ts'], 'api: paginate orders and users') },
      { id: 'db', title: 'Index the orders table', agent: 'codex', scope: ['src/db/**'], prompt: taskScript(['src/db/schema.ts'], 'db: index orders') },
      { id: 'cart', title: 'Show order totals in the cart', agent: 'claude', scope: ['src/ui/cart.tsx', 'src/api/orders.ts'], prompt: taskScript(['src/ui/cart.tsx'], 'cart: show totals') },
      { id: 'checkout', title: 'Checkout pages through orders', agent: 'codex', phase: 2, dependsOn: ['api'], scope: ['src/ui/checkout.tsx'], prompt: taskScript(['src/ui/checkout.tsx'], 'checkout: page through orders') },
    ],
  };
  return `# The demo's plan: phase 1 fans out (cart waits for api: their scopes overlap), phase 2 builds on api.\n${stringify(plan)}`;
}

// ---- the CLI, as a user would run it ------------------------------------------------------------

interface CliResult {
  code: number;
  json: Record<string, unknown> & { ok?: boolean; error?: string; message?: string };
  text: string;
  stderr: string;
}

function lockstep(repo: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args, '--json'], { cwd: repo, encoding: 'utf8', env: { ...process.env, LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' } });
  let json: CliResult['json'] = {};
  try {
    json = JSON.parse(r.stdout) as CliResult['json'];
  } catch {
    // not every failure prints JSON
  }
  return { code: r.status ?? -1, json, text: `${r.stdout}${r.stderr}`.trim(), stderr: r.stderr };
}

interface TaskRow {
  id: string;
  status: string;
  reasons: string[];
  worktree?: string;
  branch?: string;
  logFile: string;
}

function tasks(repo: string): Map<string, TaskRow> {
  const r = lockstep(repo, 'task', 'list');
  if (r.code !== 0) throw new Error(`lockstep task list failed: ${r.text}`);
  return new Map(((r.json.tasks as TaskRow[]) ?? []).map((t) => [t.id, t]));
}

function task(repo: string, id: string): TaskRow {
  const t = tasks(repo).get(id);
  if (!t) throw new Error(`the plan has no task ${id}`);
  return t;
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** Who holds `key` now: leases of dead agents are no longer in force (status shows them as freed). */
function leaseHolder(root: string, key: string): string | undefined {
  const r = lockstep(root, 'status');
  const leases = (r.json.leases as { key: string; session: string; inForce: boolean }[] | undefined) ?? [];
  return leases.find((l) => l.key === key && l.inForce)?.session;
}

/** The matrix cell of `a` × `b` from `lockstep matrix --json`, in its letters (`L1`, `P2`…; '' when empty). */
function matrixCell(root: string, a: string, b: string): { text: string; live: number; files: string[] } {
  const r = lockstep(root, 'matrix');
  const cells = (r.json.cells as { a: string; b: string; live: number; planned: number; merge: number }[] | undefined) ?? [];
  const pairs = (r.json.pairs as { a: string; b: string; live: { files: { path: string }[] } }[] | undefined) ?? [];
  const same = (x: { a: string; b: string }) => (x.a === a && x.b === b) || (x.a === b && x.b === a);
  const c = cells.find(same);
  if (!c) return { text: '', live: 0, files: [] };
  const text = [c.merge > 0 ? `M${c.merge}` : '', c.live > 0 ? `L${c.live}` : '', c.planned > 0 ? `P${c.planned}` : ''].filter(Boolean).join(' ');
  return { text, live: c.live, files: pairs.find(same)?.live.files.map((f) => f.path) ?? [] };
}

// ---- processes this demo started ----------------------------------------------------------------

const children = new Set<ChildProcess>();
let server: RunningCodeServer | undefined;
let stopping = false;

/** A stray agent outside the plan (a Claude Code session in its own worktree) that keeps a file held. */
function startStrayAgent(cwd: string, file: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, simulatedAgent, '--agent', 'claude', '--session', 'carol', '--cwd', cwd, '--files', file, '--think-ms', String(3000 * pace), '--hold-ms', '1000', '--cli', CLI],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: projectRoot },
  );
  children.add(child);
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) process.stdout.write(`  ${l}\n`);
  });
  child.on('exit', () => children.delete(child));
  return child;
}

// ---- the steps ----------------------------------------------------------------------------------

const checkpoints: string[] = [];
/** The smoke run's browser: a screenshot of the workbench at each checkpoint. */
let visitor: Visitor | undefined;
const shotsDir = path.join(path.dirname(artifactsDir), 'demo');
/** A step the smoke run requires: printed with ✓, and photographed when a browser watches. */
async function happened(step: string, detail: string): Promise<void> {
  checkpoints.push(step);
  say(`✓ ${step}: ${detail}`);
  if (visitor) {
    await new Promise((r) => setTimeout(r, 1500)); // the views refresh on the store's change
    await visitor.screenshot(path.join(shotsDir, `${String(checkpoints.length).padStart(2, '0')}-${step.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/-+$/, '')}.png`));
  }
}

const STEPS = [
  'plan started',
  'one worktree per writer',
  'a task waits with its reason',
  "a killed agent's lease is freed at once",
  'a live cell in the conflict matrix',
  'an atomic, verified landing',
  'phase 2 opened',
  'the last landing undone',
];

async function runScenario(repo: TempRepo, carolCwd: string): Promise<void> {
  const root = repo.root;
  say('1/8  The plan (.lockstep/plan.yaml): phase 1 = investigate (read-only), api, db, cart; phase 2 = checkout (depends on api); at most 3 tasks at once.');
  const validated = lockstep(root, 'plan', 'validate');
  if (validated.code !== 0) throw new Error(`the sample plan is invalid: ${validated.text}`);

  say('2/8  A stray Claude Code session (carol) outside the plan starts editing src/api/orders.ts in its own worktree.');
  const carol = startStrayAgent(carolCwd, 'src/api/orders.ts');
  await until('carol to hold src/api/orders.ts', () => leaseHolder(root, 'src/api/orders.ts')?.includes('carol'));
  await sleep(3000);

  say('3/8  The scheduler starts phase 1 (lockstep task start): each writer in its own worktree on branch lockstep/<task>, the investigator read-only in the main checkout.');
  for (const id of ['investigate', 'api', 'db']) {
    const r = lockstep(root, 'task', 'start', id);
    if (r.code !== 0) throw new Error(`lockstep task start ${id} failed: ${r.text}`);
    const t = r.json.task as TaskRow | undefined;
    say(`     started ${id}${t?.worktree ? ` in ${t.worktree} on ${t.branch}` : ' (read-only: no worktree, every edit denied)'}`);
    await sleep(1500);
  }
  const started = tasks(root);
  const running = ['investigate', 'api', 'db'].filter((id) => ['running', 'finished', 'landed'].includes(started.get(id)?.status ?? ''));
  if (running.length !== 3) throw new Error(`investigate, api and db should run: ${JSON.stringify([...started.values()].map((t) => [t.id, t.status]))}`);
  await happened('plan started', 'investigate, api and db are running');
  const worktrees = ['api', 'db'].map((id) => started.get(id)!).filter((t) => t.worktree && fs.existsSync(t.worktree));
  if (worktrees.length !== 2) throw new Error(`api and db should each have a worktree: ${JSON.stringify(worktrees)}`);
  const branches = repo.git('branch', '--list', 'lockstep/*', '--format=%(refname:short)').split('\n');
  for (const t of worktrees) if (!branches.includes(`lockstep/${t.id}`)) throw new Error(`branch lockstep/${t.id} is missing: ${branches.join(', ')}`);
  await happened('one worktree per writer', worktrees.map((t) => `${t.id} → ${t.worktree} (${t.branch})`).join('; '));

  say('4/8  cart wants src/api/orders.ts too: its scope overlaps api, so the gate keeps it waiting.');
  const refused = lockstep(root, 'task', 'start', 'cart');
  const reasons = (refused.json.reasons as string[] | undefined) ?? task(root, 'cart').reasons;
  if (refused.code !== 3 || reasons.length === 0) throw new Error(`cart should have waited for api, but: ${refused.text}`);
  await happened('a task waits with its reason', `cart: ${reasons.join('; ')}`);
  await sleep(3000);

  say("5/8  api is denied src/api/orders.ts while carol holds it. carol's agent is now killed (kill -9): its lease is freed at once, not after the TTL.");
  const apiLog = task(root, 'api').logFile;
  const denial = await until('api to be denied src/api/orders.ts', () =>
    fs.existsSync(apiLog) ? fs.readFileSync(apiLog, 'utf8').split('\n').find((l) => l.includes('DENIED src/api/orders.ts')) : undefined,
  );
  say(`     api's agent: ${denial.replace(/^\S+ /, '')}`);
  const before = matrixCell(root, 'api', 'claude:carol');
  const vscodeBefore = (await visitor?.matrixCell('api', 'claude:carol')) ?? '';
  say(`     conflict matrix, api × claude:carol: ${before.text || '(empty)'}`);
  await sleep(3000);
  say(`     kill -9 ${carol.pid} (carol's agent)`);
  const gone = new Promise<void>((r) => (carol.exitCode !== null || carol.signalCode !== null ? r() : carol.once('exit', () => r())));
  carol.kill('SIGKILL');
  await gone;
  // "At once": the very next look at the leases (no sweep, no TTL) shows it free.
  const firstLook = leaseHolder(root, 'src/api/orders.ts');
  if (firstLook?.includes('carol')) throw new Error(`carol's lease on src/api/orders.ts is still in force right after the kill`);
  await happened("a killed agent's lease is freed at once", `the first \`lockstep status\` after the kill shows src/api/orders.ts ${firstLook ? `held by ${firstLook}` : 'free'} (its lease had 15 minutes left)`);

  say('     The conflict matrix (open in VS Code, and `lockstep matrix`) changes as api edits the file carol left edited.');
  const after = await until('a live overlap of api and carol in the conflict matrix', () => {
    const c = matrixCell(root, 'api', 'claude:carol');
    return c.live > 0 ? c : undefined;
  }, 60_000);
  let inVscode = '';
  if (visitor) {
    // The matrix open in VS Code changes too, by itself (no refresh): its cell is selected for the picture.
    const v = visitor;
    const shown = await until('VS Code\'s conflict matrix to show the live overlap of api and carol', async () => {
      const c = await v.matrixCell('api', 'claude:carol');
      return c && /L/.test(c) ? c : undefined;
    }, 60_000);
    await v.selectMatrixCell('api', 'claude:carol');
    inVscode = `; VS Code's matrix shows ${shown} (was ${vscodeBefore || '(empty)'})`;
  }
  await happened('a live cell in the conflict matrix', `api × claude:carol went from ${before.text || '(empty)'} to ${after.text}: ${after.files.join(', ')}${inVscode}`);

  say('6/8  The writers finish (each commits on its branch); then cart may start: nothing running overlaps it any more.');
  await until('api and db to finish', () => {
    const t = tasks(root);
    return ['api', 'db'].every((id) => ['finished', 'failed'].includes(t.get(id)?.status ?? '')) || undefined;
  });
  for (const id of ['api', 'db']) if (task(root, id).status !== 'finished') throw new Error(`${id} did not finish: ${JSON.stringify(task(root, id))}`);
  const cartStart = lockstep(root, 'task', 'start', 'cart');
  if (cartStart.code !== 0) throw new Error(`cart should start now: ${cartStart.text}`);
  say(`     started cart in ${(cartStart.json.task as TaskRow | undefined)?.worktree ?? '?'}`);
  await until('cart and investigate to finish', () => {
    const t = tasks(root);
    return ['cart', 'investigate'].every((id) => ['finished', 'landed'].includes(t.get(id)?.status ?? '')) || undefined;
  });
  const investigateLog = fs.readFileSync(task(root, 'investigate').logFile, 'utf8');
  if (investigateLog.includes('DENIED') || !investigateLog.includes('session ended')) throw new Error(`the read-only investigate should end without trying an edit; its log:\n${investigateLog}`);
  say(`     investigate (read-only) is done: it read, tried no edit and left nothing to land; cart is ${task(root, 'cart').status}`);
  await sleep(2000);

  say('7/8  Phase 1 lands atomically (lockstep land --atomic): api, db and cart are merged into one candidate, verified (node scripts/verify.js), and main moves only if all pass.');
  const mainBefore = repo.git('rev-parse', 'main');
  const landed = lockstep(root, 'land', 'api', 'db', 'cart', '--atomic');
  if (landed.code !== 0) throw new Error(`atomic landing failed: ${landed.text}`);
  const progress = landed.stderr.split('\n').filter((l) => l.startsWith('lockstep land: '));
  for (const l of progress) say(`     ${l}`);
  const verified = progress.find((l) => /check passed/.test(l));
  if (!verified) throw new Error(`the landing did not report its check:\n${landed.stderr}`);
  const mainAfter = repo.git('rev-parse', 'main');
  if (mainAfter === mainBefore) throw new Error('main did not move');
  // Atomic: one landing record (written in the same ref transaction that moved main) holds all three.
  const record = repo.git('for-each-ref', '--sort=-creatordate', '--count=1', '--format=%(objectname)', 'refs/lockstep/landings/');
  const [recBefore, recAfter] = repo.git('show', '-s', '--format=%P', record).split(' ');
  const recTasks = (JSON.parse(repo.git('show', '-s', '--format=%b', record)) as { tasks: { id: string }[] }).tasks.map((t) => t.id);
  if (recBefore !== mainBefore || recAfter !== mainAfter || ['api', 'db', 'cart'].some((id) => !recTasks.includes(id))) {
    throw new Error(`the landing record should move main ${mainBefore.slice(0, 7)} → ${mainAfter.slice(0, 7)} with api, db and cart; it has ${recBefore?.slice(0, 7)} → ${recAfter?.slice(0, 7)} with ${recTasks.join(', ')}`);
  }
  const merged = repo.git('log', '--first-parent', '--format=%s', `${mainBefore}..${mainAfter}`).split('\n').reverse();
  await happened('an atomic, verified landing', `${String(landed.json.message ?? 'landed')} (main ${mainBefore.slice(0, 7)} → ${mainAfter.slice(0, 7)} in one move: ${merged.join(', ')}; ${verified.replace('lockstep land: ', '')})`);
  await sleep(2000);

  say('8/8  Phase 2 opens: checkout depended on api, which has landed.');
  await until('checkout to be startable', () => task(root, 'checkout').status === 'ready', 30_000);
  await happened('phase 2 opened', 'checkout is ready');
  const co = lockstep(root, 'task', 'start', 'checkout');
  if (co.code !== 0) throw new Error(`checkout should start: ${co.text}`);
  await until('checkout to finish', () => task(root, 'checkout').status === 'finished');
  const coLanded = lockstep(root, 'land', 'checkout');
  if (coLanded.code !== 0) throw new Error(`landing checkout failed: ${coLanded.text}`);
  say(`     ${String(coLanded.json.message ?? 'checkout landed')}`);
  // VS Code announces the landing before it is undone: a watcher sees both, and an undo VS Code never
  // saw landed would not be announced as one (a fixed pause was too short on a loaded machine).
  if (visitor) await waitForNotifications([/Task checkout landed on/]);
  else await sleep(2000);
  say('     A landing can be undone: `lockstep undo-landing` (or Lockstep: Undo Last Landing) puts main back and checkout back to finished.');
  const undo = lockstep(root, 'undo-landing');
  if (undo.code !== 0) throw new Error(`undo failed: ${undo.text}`);
  const back = repo.git('rev-parse', 'main');
  if (back !== mainAfter || task(root, 'checkout').status !== 'finished') throw new Error(`after the undo main should be ${mainAfter.slice(0, 7)} and checkout finished: main ${back.slice(0, 7)}, checkout ${task(root, 'checkout').status}`);
  await happened('the last landing undone', `${String(undo.json.message ?? 'undone')} (main is ${back.slice(0, 7)} again)`);
}

/** Waits a little for notifications still on their way; returns the patterns never seen. */
async function waitForNotifications(patterns: RegExp[], timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = visitor?.notifications() ?? [];
    const missing = patterns.filter((p) => !seen.some((m) => p.test(m)));
    if (missing.length === 0 || Date.now() > deadline) return missing.map(String);
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!fs.existsSync(CLI) || (withVscode && !fs.existsSync(vsix))) throw new Error('dist/lockstep.vsix or dist/cli.js is missing: run `npm run demo` (it builds first)');
  const repo = makeTempRepo({ files: { ...SAMPLE, '.lockstep/plan.yaml': samplePlan() }, prefix: 'lockstep-demo-' });
  const carolCwd = repo.addWorktree('shop-carol', 'carol/spike');
  say(`sample repository: ${repo.root}`);

  let dirs: ReturnType<typeof codeServerDirs> | undefined;
  let url: string | undefined;
  if (withVscode) {
    dirs = codeServerDirs(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-demo-vscode-')));
    fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(dirs.userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'telemetry.telemetryLevel': 'off',
          'security.workspace.trust.enabled': false,
          'workbench.colorTheme': 'Default Dark Modern',
          'workbench.tips.enabled': false,
          'lockstep.matrix.openWhenTasksRun': true,
        },
        null,
        2,
      ),
    );
    say('installing the extension into code-server');
    await installExtension(dirs, vsix);
    server = await startCodeServer(dirs, repo.root, {}, 60_000);
    url = `${server.url}?folder=${encodeURIComponent(repo.root)}`;
    say(`VS Code with Lockstep is up: open ${url}`);
    say('(the Lockstep view in the activity bar shows the plan and the sessions; notifications tell each step)');
  }

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping the agents' + (withVscode ? ' and VS Code' : ''));
    try {
      for (const [id, t] of tasks(repo.root)) if (t.status === 'running') lockstep(repo.root, 'task', 'stop', id);
    } catch {
      // the repository may be half set up
    }
    for (const c of children) c.kill('SIGKILL');
    await visitor?.close();
    await server?.stop();
    if (!values.keep) {
      if (dirs) fs.rmSync(dirs.root, { recursive: true, force: true });
      repo.cleanup();
    } else say(`kept ${repo.root}`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // Give a visitor time to open the page before the agents start; the smoke run is its own visitor.
  if (values.smoke && url) {
    fs.rmSync(shotsDir, { recursive: true, force: true });
    visitor = await visit(url, { readyRows: [/Phase 1/] });
    say(`a headless browser has the workbench open (screenshots in ${path.relative(projectRoot, shotsDir)}/)`);
  } else if (url) await sleep(10_000);
  try {
    await runScenario(repo, carolCwd);
  } catch (e) {
    say(`FAILED: ${(e as Error).message}`);
    if (visitor) await visitor.screenshot(path.join(shotsDir, 'failed.png')).catch(() => undefined);
    return stop(1);
  }
  const missingSteps = STEPS.filter((s) => !checkpoints.includes(s));
  if (missingSteps.length > 0) {
    say(`FAILED: these steps did not happen: ${missingSteps.join(', ')}`);
    return stop(1);
  }
  if (values.smoke) {
    if (url) {
      const res = await fetch(url).then((r) => r.status, () => 0);
      if (res !== 200) {
        say(`smoke: FAILED (the workbench answered ${res})`);
        return stop(1);
      }
      // VS Code told each step too (the extension's own notifications).
      const expected = [
        /Task api started in its own worktree/,
        /Task investigate started \(read-only/,
        /Task cart waits for 'api': its src\/api\/\*\* overlaps/,
        /The agent of session claude:carol is gone/,
        /Tasks .*api.* landed on main together/,
        /Phase 2 is open: checkout can start/,
        /The landing of checkout was undone/,
      ];
      const missing = await waitForNotifications(expected);
      if (missing.length > 0) {
        say(`smoke: FAILED: VS Code did not announce ${missing.join(', ')}; it showed: ${JSON.stringify(visitor?.notifications())}`);
        return stop(1);
      }
      say(`smoke: VS Code announced every step (${visitor?.notifications().length} notifications)`);
      say(`smoke: workbench answered 200 and all ${checkpoints.length} steps happened`);
    } else say(`smoke: all ${checkpoints.length} steps happened (without VS Code)`);
    return stop(0);
  }
  if (!url) return stop(0);
  say('the demo has run; VS Code stays up to look around. Press Ctrl-C to stop.');
}

main().catch((e) => {
  process.stderr.write(`[demo] ${e instanceof Error ? e.message : String(e)}\n`);
  for (const c of children) c.kill('SIGKILL');
  void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
});
