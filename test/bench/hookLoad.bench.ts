// What the hook bundle loads on each event type: builds dist/hook.js's entry again with a mark at the
// top of every module (esbuild plugin), runs it through the real launcher (dist/cli.js, V8 code cache)
// on each Claude Code event, and prints per event the modules evaluated, their bytes in the bundle,
// and the CPU time from the first module's evaluation to exit (evaluation and the event's own work).
// Modules loaded with require() on demand (dialects, the shell reader, the waker, Redis, picomatch,
// the sub-agent counter) appear only on the events that use them.
//   node --import tsx test/bench/hookLoad.bench.ts [runs=5]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { claudeBashPayload, claudeSessionPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const RUNS = Number(process.argv[2] ?? 5);

const short = (m: string): string => path.basename(m).replace(/\.ts$/, '');
const nameOf = (file: string): string => file.replace(/.*node_modules\/((@[^/]+\/)?[^/]+)\/.*/, '$1').replace(/.*\/src\//, 'src/');

/** The hook bundle with `globalThis.__mark(module)` first in every module; marks (CPU µs) go to MARKS_OUT at exit. */
async function buildMarked(outfile: string): Promise<Map<string, number>> {
  const marks: esbuild.Plugin = {
    name: 'marks',
    setup(b) {
      b.onLoad({ filter: /\.(ts|js|mjs|cjs)$/ }, (a) => ({
        contents: `globalThis.__mark?.(${JSON.stringify(nameOf(a.path))});\n${fs.readFileSync(a.path, 'utf8')}`,
        loader: a.path.endsWith('.ts') ? 'ts' : 'js',
        resolveDir: path.dirname(a.path),
      }));
    },
  };
  const banner = `const __cpu=()=>{const u=process.cpuUsage();return u.user+u.system};const __marks=[];globalThis.__mark=(n)=>__marks.push([n,__cpu()]);process.on('exit',()=>{__marks.push(['<exit>',__cpu()]);require('fs').writeFileSync(process.env.MARKS_OUT,JSON.stringify(__marks))});`;
  const common: esbuild.BuildOptions = { entryPoints: [path.join(PROJECT_ROOT, 'src/cli/hookMain.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], logLevel: 'error', minify: true };
  await esbuild.build({ ...common, outfile, plugins: [marks], banner: { js: banner } });
  // Bytes per module as the production bundle carries them (minified, no marks).
  const plain = await esbuild.build({ ...common, write: false, metafile: true, outfile: path.join(path.dirname(outfile), 'plain.js') });
  const bytes = new Map<string, number>();
  for (const [file, v] of Object.entries(Object.values(plain.metafile!.outputs)[0]!.inputs)) bytes.set(nameOf(file), (bytes.get(nameOf(file)) ?? 0) + v.bytesInOutput);
  return bytes;
}

async function main(): Promise<void> {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-load-'));
  const repo = makeTempRepo({ prefix: 'lockstep-bench-load-repo-', files: { 'src/a.ts': 'a\n' } });
  // --wake waits only for an agent that idles after a turn: this stand-in looks like `claude -p`, so it returns at once.
  const agent = spawn('sh', ['-c', 'sleep 600; :', 'claude', '-p'], { stdio: 'ignore', detached: true });
  try {
    const bytes = await buildMarked(path.join(dir, 'hook.js'));
    fs.copyFileSync(path.join(PROJECT_ROOT, 'dist', 'cli.js'), path.join(dir, 'cli.js'));
    const session = 'bench-load-0001';
    const file = path.join(repo.root, 'src/a.ts');
    const turn = (name: string, extra: Record<string, unknown>) => {
      const p: Record<string, unknown> = { ...claudeSessionPayload('SessionStart', session, repo.root), hook_event_name: name, ...extra };
      delete p.source;
      return p;
    };
    const events: Array<[string, unknown, string[]]> = [
      ['--help (bundle load)', {}, ['--help']],
      ['SessionStart', claudeSessionPayload('SessionStart', session, repo.root), []],
      ['UserPromptSubmit', turn('UserPromptSubmit', { prompt: 'go' }), []],
      ['PreToolUse Edit', claudeToolPayload('PreToolUse', session, repo.root, file), []],
      ['PostToolUse Edit', claudeToolPayload('PostToolUse', session, repo.root, file), []],
      ['PreToolUse Bash `true`', claudeBashPayload('PreToolUse', session, repo.root, 'true'), []],
      ['PreToolUse Bash `echo>src/a.ts`', claudeBashPayload('PreToolUse', session, repo.root, 'echo x > src/a.ts'), []],
      ['PostToolUse Bash', claudeBashPayload('PostToolUse', session, repo.root, 'true'), []],
      ['Stop', turn('Stop', { stop_hook_active: false }), []],
      ['Stop --wake', turn('Stop', { stop_hook_active: false }), ['--wake']],
      ['SessionEnd', claudeSessionPayload('SessionEnd', session, repo.root), []],
    ];
    const marksOut = path.join(dir, 'marks.json');
    const run = (payload: unknown, extra: string[]): Array<[string, number]> => {
      const env = { ...process.env, MARKS_OUT: marksOut, LOCKSTEP_SESSION: '', LOCKSTEP_AGENT_PID: String(agent.pid) };
      const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'hook', '--agent', 'claude', ...extra], { input: JSON.stringify(payload), encoding: 'utf8', env, timeout: 60_000 });
      if (r.status !== 0) throw new Error(`hook ${extra.join(' ')} exited ${r.status}: ${r.stderr}`);
      return JSON.parse(fs.readFileSync(marksOut, 'utf8')) as Array<[string, number]>;
    };
    run(events[1]![1], []); // the session exists, and the code cache
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    console.log(`hookLoad: modules evaluated per Claude Code event (of ${bytes.size}, ${(total / 1024).toFixed(0)} KB minified); CPU from first module to exit, median of ${RUNS}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    const everywhere = new Set(bytes.keys());
    const loaded: Array<[string, Set<string>, number]> = [];
    for (const [name, payload, extra] of events) {
      const runs = Array.from({ length: RUNS }, () => run(payload, extra));
      const mods = new Set(runs[0]!.slice(0, -1).map(([m]) => m));
      for (const m of [...everywhere]) if (!mods.has(m)) everywhere.delete(m);
      loaded.push([name, mods, median(runs.map((m) => m[m.length - 1]![1] - m[0]![1])) / 1000]);
    }
    for (const [name, mods, ms] of loaded) {
      const kb = [...mods].reduce((a, m) => a + (bytes.get(m) ?? 0), 0) / 1024;
      const own = [...mods].filter((m) => !everywhere.has(m));
      console.log(`${name.padEnd(32)} ${String(mods.size).padStart(3)} modules ${kb.toFixed(0).padStart(4)} KB ${ms.toFixed(1).padStart(6)} ms CPU  + ${own.map(short).join(' ') || '-'}`);
    }
    console.log(`(+ modules beyond those every event loads: ${everywhere.size} modules, ${([...everywhere].reduce((a, m) => a + (bytes.get(m) ?? 0), 0) / 1024).toFixed(0)} KB: ${[...everywhere].map(short).join(' ')})`);
    console.log(`never loaded on these events: ${[...bytes.keys()].filter((m) => !loaded.some(([, s]) => s.has(m))).map(short).join(' ') || '-'}`);
  } finally {
    process.kill(-agent.pid!); // the group: sh and its sleep
    repo.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
