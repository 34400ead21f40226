// Bundles the extension, the coordinator server, the CLI (with its fast hook path) and the webview.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** In watch mode, prints errors in the format of VS Code's $esbuild-watch problem matcher. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // A one-off build reports through esbuild's own log (errors only); the [watch] lines are for the
  // problem matcher of a watching VS Code task, which a one-off build has not got.
  logLevel: watch ? 'silent' : 'error',
  plugins: watch ? [problemMatcher] : [],
};

const nodeTargets = [
  // The extension host provides `vscode`; everything else is bundled.
  { entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] },
  { entryPoints: { server: 'src/server/main.ts' } },
  // cli.js is a tiny dispatcher: `lockstep hook` loads only hook.js, everything else loads commands.js.
  { entryPoints: { cli: 'src/cli/cli.ts' }, banner: { js: '#!/usr/bin/env node' }, external: ['./hook.js', './commands.js'] },
  { entryPoints: { hook: 'src/cli/hookMain.ts' } },
  { entryPoints: { commands: 'src/cli/commandsMain.ts' } },
  { entryPoints: { mcp: 'src/cli/mcpMain.ts' } },
  // The Redis client runs in a worker thread of the store (redisBridge.ts), loaded only in team mode.
  { entryPoints: { redisWorker: 'src/store/redisWorker.ts' } },
];

const configs = [
  ...nodeTargets.map((t) => ({
    ...common,
    ...t,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: 'dist',
    mainFields: ['module', 'main'],
  })),
  {
    ...common,
    entryPoints: { 'webview/matrix': 'src/webview/matrix/main.ts' },
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outdir: 'dist',
  },
].filter((c) => Object.values(c.entryPoints).every((p) => existsSafe(p)));

function existsSafe(p) {
  try {
    return !!statSync(p);
  } catch {
    return false;
  }
}
import { rmSync, statSync } from 'node:fs';

// A production build (what `npm run package` ships) starts from an empty dist/, so nothing an earlier
// development build left there (source maps, renamed bundles) reaches the package.
if (production) rmSync('dist', { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
