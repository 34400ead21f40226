// Every example in README.md and in `lockstep … --help` runs as written: each `lockstep …` or
// `npx lockstep …` line of the README's bash blocks, and each line under a help text's "Examples:",
// is run through /bin/sh in a temporary repository where `lockstep` is installed (node_modules/.bin
// and PATH point at the built CLI; the home folder is a temporary one, so `--scope user` touches
// nothing real). And `--help` of every command and subcommand prints its usage.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { claudeSessionPayload } from '../fixtures/hookPayloads';

/** The `lockstep` command lines of the README's ```bash blocks, in order, without trailing comments. */
export function readmeExamples(markdown: string): string[] {
  const lines: string[] = [];
  let inBash = false;
  for (const raw of markdown.split('\n')) {
    if (/^```/.test(raw)) {
      inBash = !inBash && /^```(bash|sh|shell)\s*$/.test(raw);
      continue;
    }
    if (!inBash) continue;
    const line = raw.replace(/\s+#\s.*$/, '').trim();
    if (/^(npx )?lockstep( |$)/.test(line)) lines.push(line);
  }
  return lines;
}

/** The example lines under "Examples:" in a help text. */
export function helpExamples(help: string): string[] {
  const out: string[] = [];
  let inExamples = false;
  for (const raw of help.split('\n')) {
    if (/^Examples:\s*$/.test(raw)) inExamples = true;
    else if (inExamples && /^\s+(\$ )?lockstep /.test(raw)) out.push(raw.trim().replace(/^\$ /, ''));
    else if (inExamples && raw.trim() !== '') inExamples = false;
  }
  return out;
}

/** Subcommand names listed under "Commands:" in a commander help text. */
function subcommands(help: string): string[] {
  const out: string[] = [];
  let inCommands = false;
  for (const raw of help.split('\n')) {
    if (/^Commands:\s*$/.test(raw)) inCommands = true;
    else if (inCommands) {
      const m = /^ {2}([a-z][a-z-]*)\b/.exec(raw);
      if (m && m[1] !== 'help') out.push(m[1]!);
      else if (raw.trim() === '') inCommands = false;
    }
  }
  return out;
}

describe('documented examples run as written', () => {
  let repo: TempRepo;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const sh = (line: string) =>
    spawnSync('/bin/sh', ['-c', line], { cwd: repo.root, encoding: 'utf8', env, timeout: 120_000 });
  /**
   * A command that runs until interrupted (`--follow`): it must still be running, without an error,
   * once it printed something or after a few seconds; then its process group is stopped.
   */
  const shUntilStopped = (line: string) =>
    new Promise<{ exited: number | null; output: string }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', line], { cwd: repo.root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let exited: number | null = null;
      const stop = () => {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* gone */
        }
      };
      const timer = setTimeout(stop, 8000);
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString('utf8');
        setTimeout(stop, 500);
      });
      child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
      child.on('exit', (code) => (exited = code));
      child.on('close', () => {
        clearTimeout(timer);
        resolve({ exited, output });
      });
    });
  const lockstep = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: repo.root, encoding: 'utf8', env, timeout: 60_000 });

  before(() => {
    ensureBuilt();
    repo = makeTempRepo({ prefix: 'lockstep-doc-', files: { 'README.md': '# app\n', 'src/api.ts': 'export const api = 1;\n', 'src/cart.ts': 'export const cart = 1;\n' } });
    home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-doc-home-')));
    // `lockstep` installed in the repository (as `npm install --save-dev lockstep` would) and on PATH.
    const bin = path.join(repo.root, 'node_modules', '.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'lockstep'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, { mode: 0o755 });
    // The examples assume the user's agents are installed: stand-ins that do nothing and exit.
    for (const agent of ['claude', 'codex', 'gemini', 'copilot']) fs.writeFileSync(path.join(bin, agent), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.writeFileSync(path.join(repo.root, '.gitignore'), 'node_modules/\n');
    repo.commitAll('ignore node_modules');
    env = {
      ...process.env,
      HOME: home,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
      CODEX_HOME: path.join(home, '.codex'),
      // npx must find the installed CLI, never ask the registry.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      LOCKSTEP_SESSION: '',
      LOCKSTEP_TASK: '',
    };
    // The examples speak of a repository where an agent works: one Claude Code session has started.
    const start = spawnSync(process.execPath, [CLI, 'hook', '--agent', 'claude'], {
      cwd: repo.root,
      input: JSON.stringify(claudeSessionPayload('SessionStart', 'doc-example-session', repo.root, { transcriptPath: path.join(home, 't.jsonl') })),
      encoding: 'utf8',
      env,
    });
    assert.equal(start.status, 0, start.stderr);
  });
  after(() => {
    repo?.cleanup();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('every lockstep line of the README', async () => {
    const examples = readmeExamples(fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8'));
    assert.ok(examples.some((l) => l.includes('--session human:')), `the README shows a session id: ${examples.join(' | ')}`);
    for (const line of examples) {
      if (/\s--follow\b/.test(line)) {
        const f = await shUntilStopped(line);
        assert.ok(f.exited === null || f.exited === 0, `README example \`${line}\` failed (exit ${f.exited}):\n${f.output}`);
        assert.doesNotMatch(f.output, /^lockstep: /m, `README example \`${line}\`:\n${f.output}`);
        continue;
      }
      const r = sh(line);
      assert.equal(r.status, 0, `README example \`${line}\` failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    }
  });

  it('--help of every command prints its usage, and every example it shows runs', () => {
    const seen: string[] = [];
    const visit = (cmd: string[]) => {
      const r = lockstep([...cmd, '--help']);
      assert.equal(r.status, 0, `lockstep ${cmd.join(' ')} --help: exit ${r.status}\n${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: lockstep${cmd.length ? ` ${cmd.join(' ')}` : ''}`), `lockstep ${cmd.join(' ')} --help`);
      assert.equal(r.stderr, '', `lockstep ${cmd.join(' ')} --help wrote to stderr`);
      seen.push(cmd.join(' '));
      for (const line of helpExamples(r.stdout)) {
        const run = sh(line);
        assert.equal(run.status, 0, `example \`${line}\` of lockstep ${cmd.join(' ')} --help failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
      }
      for (const sub of subcommands(r.stdout)) visit([...cmd, sub]);
    };
    visit([]);
    for (const c of ['hook', 'serve', 'claim', 'release', 'status', 'hooks install', 'task list', 'plan validate']) assert.ok(seen.includes(c), `${c} visited: ${seen.join(', ')}`);
  });

  it('the extractors find what they should', () => {
    assert.deepEqual(readmeExamples('x\n```bash\nnpm test   # all\nnpx lockstep status   # who\n  lockstep doctor\n```\n```json\nlockstep no\n```\n'), ['npx lockstep status', 'lockstep doctor']);
    assert.deepEqual(helpExamples('Usage: x\n\nExamples:\n  lockstep a b\n  $ lockstep c\n\nMore\n  lockstep d\n'), ['lockstep a b', 'lockstep c']);
  });
});
