// `lockstep` entry (dist/cli.js): a tiny dispatcher, so `lockstep hook` loads only the hook path.
// Bundles stay separate (esbuild keeps ./hook.js and ./commands.js external).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * Runs the hook bundle with a V8 code cache kept next to it (dist/hook.js.v8cache): hooks run on
 * every tool call of every agent, and most of their cost is compiling the bundle. The cache is
 * written after the first run (or when V8 rejects it, e.g. after a rebuild); any problem falls back
 * to a plain require. The cache lives only beside the bundle (same owner), never in a shared folder.
 */
function runHookBundle(): void {
  const file = path.join(__dirname, 'hook.js');
  const cacheFile = `${file}.v8cache`;
  let script: vm.Script;
  let cached: Buffer | undefined;
  try {
    const source = fs.readFileSync(file, 'utf8');
    try {
      cached = fs.readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  } catch {
    require('./hook.js');
    return;
  }
  if (!cached || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        /* read-only install: run without a cache */
      }
    });
  }
  const mod = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, require, mod, file, __dirname);
}

const SERVE_USAGE = `Usage: lockstep serve --stdio|--node-ipc|--socket=<port>|--pipe=<name>

Runs the coordinator of the repository around the current folder as a language server (LSP) on
the given transport: diagnostics and hover on files another session holds, for any LSP editor.
The VS Code extension starts it by itself.
`;

const sub = process.argv[2];
if (sub === 'hook') {
  runHookBundle();
} else if (sub === 'mcp') {
  require(path.join(__dirname, 'mcp.js'));
} else if (sub === 'serve') {
  const args = process.argv.slice(3);
  if (args.includes('--help') || args.includes('-h')) process.stdout.write(SERVE_USAGE);
  else if (!args.some((a) => /^--(stdio|node-ipc|socket|pipe)(=|$)/.test(a))) {
    process.stderr.write('lockstep serve: name the transport, e.g. lockstep serve --stdio (see lockstep serve --help)\n');
    process.exitCode = 2;
  } else {
    // Computed so esbuild leaves it alone: dist/server.js is its own bundle.
    require(path.join(__dirname, 'server.js'));
  }
} else {
  require('./commands.js');
}
