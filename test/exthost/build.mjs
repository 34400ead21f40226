// Bundles the extension-host test suite (test/exthost) into out/exthost/, one file per test file so
// mocha can load them by name. `vscode` comes from the extension host; mocha from node_modules.
// Usage: node test/exthost/build.mjs   (prints the suite's entry, out/exthost/index.js)
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
export const suiteEntry = path.join(projectRoot, 'out/exthost/index.js');

const entryPoints = [path.join(here, 'index.ts')];
for (const suite of fs.readdirSync(path.join(here, 'suites'))) {
  for (const f of fs.readdirSync(path.join(here, 'suites', suite))) {
    if (f.endsWith('.exthost.ts')) entryPoints.push(path.join(here, 'suites', suite, f));
  }
}

export async function buildSuite() {
  fs.rmSync(path.dirname(suiteEntry), { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outbase: here,
    outdir: path.dirname(suiteEntry),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return suiteEntry;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildSuite());
}
