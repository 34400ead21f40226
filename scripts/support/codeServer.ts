// One code-server process (VS Code 1.100.3's server and extension host) with its own user-data-dir
// and extensions-dir, installed by scripts/setup-e2e.sh. Started in its own process group so that
// stop() ends the server, its extension hosts and everything they spawned, and nothing else.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServerEntry } from './paths';

export interface CodeServerDirs {
  /** Parent temp dir holding everything below; removed by the caller. */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's config.yaml (passed with --config so it never writes ~/.config). */
  configFile: string;
  /** XDG base dir for code-server: its heartbeat, coder-logs and device id go here instead of $HOME. */
  xdgHome: string;
}

export function codeServerDirs(root: string): CodeServerDirs {
  const dirs = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    configFile: path.join(root, 'config.yaml'),
    xdgHome: path.join(root, 'xdg'),
  };
  for (const d of [dirs.userDataDir, dirs.extensionsDir, dirs.xdgHome]) fs.mkdirSync(d, { recursive: true });
  return dirs;
}

function commonArgs(dirs: CodeServerDirs): string[] {
  return ['--config', dirs.configFile, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
}

function codeServerEnv(dirs: CodeServerDirs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // A user's VS Code has the user's PATH, not the one `npm test` puts our dev dependencies on (the
    // pinned agent CLIs among them: a claude there would make Install Agent Hooks choose mcp_tool hooks).
    PATH: (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((d) => !d.split(path.sep).includes('node_modules'))
      .join(path.delimiter),
    XDG_DATA_HOME: path.join(dirs.xdgHome, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdgHome, 'cache'),
    XDG_CONFIG_HOME: path.join(dirs.xdgHome, 'config'),
    // The extension re-points an installed hook launcher at activation: never the user's own.
    LOCKSTEP_HOME: path.join(dirs.xdgHome, 'lockstep'),
    ...extra,
  };
}

/** `code-server --install-extension <vsix>...` (one process for all); throws with its output on failure. */
export async function installExtensions(dirs: CodeServerDirs, vsixes: string[]): Promise<void> {
  for (const v of vsixes) if (!fs.existsSync(v)) throw new Error(`vsix not found: ${v}`);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [codeServerEntry, ...commonArgs(dirs), ...vsixes.flatMap((v) => ['--install-extension', v])],
      { env: codeServerEnv(dirs), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err) reject(new Error(`installing ${vsixes.join(', ')} failed: ${err.message}\n${out}`));
        else resolve(out);
      },
    );
  });
  const installed = output.match(/successfully installed/gi)?.length ?? 0;
  if (installed < vsixes.length) throw new Error(`installing ${vsixes.join(', ')} reported ${installed} successes:\n${output}`);
}

/** `code-server --install-extension <vsix>`. */
export function installExtension(dirs: CodeServerDirs, vsix: string): Promise<void> {
  return installExtensions(dirs, [vsix]);
}

export interface RunningCodeServer {
  port: number;
  url: string;
  pid: number;
  /** Everything code-server printed so far (its own log lines; the extension host logs to files). */
  output(): string;
  /** Ends the whole process group: SIGTERM, then SIGKILL if it is still there after a grace period. */
  stop(): Promise<void>;
}

/**
 * Starts code-server on 127.0.0.1 with an OS-chosen port (`--bind-addr 127.0.0.1:0`, read back from
 * its "HTTP server listening on" line, so two tests never race for a port).
 */
export async function startCodeServer(
  dirs: CodeServerDirs,
  folder: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<RunningCodeServer> {
  const child = spawn(
    process.execPath,
    [
      codeServerEntry,
      ...commonArgs(dirs),
      '--auth', 'none',
      '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      folder,
    ],
    { env: codeServerEnv(dirs, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`code-server did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const m = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) finish(undefined, Number(m[1]));
    };
    const onExit = (code: number | null) => finish(new Error(`code-server exited (${code}) before listening:\n${output}`));
    function finish(err?: Error, p?: number) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(p!);
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  }).catch(async (err) => {
    await stopGroup(child, exited);
    throw err;
  });

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid!,
    output: () => output,
    stop: () => stopGroup(child, exited),
  };
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pgid = child.pid!;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // the group is already gone
    }
  };
  signalGroup('SIGTERM');
  const groupGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      try {
        process.kill(-pgid, 0);
      } catch {
        return true;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  if (!(await groupGone(5_000))) {
    signalGroup('SIGKILL');
    await groupGone(5_000);
  }
  if (child.exitCode === null && child.signalCode === null) await exited;
}

/** The logs code-server and its extension host wrote under user-data-dir/logs, newest session only. */
export function collectLogs(dirs: CodeServerDirs): { file: string; text: string }[] {
  const logsRoot = path.join(dirs.userDataDir, 'logs');
  if (!fs.existsSync(logsRoot)) return [];
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) out.push({ file: path.relative(logsRoot, p), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(logsRoot);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}
