// The extension is UI: it talks to the coordinator through src/protocol and never reaches into the
// rooms the coordinator owns (git processes, the store, the scheduler, the engines, the server).
// The failure names each file and the import that crosses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');
const FORBIDDEN = ['git', 'store', 'scheduler', 'engine', 'server', 'cli'];

test('src/extension imports nothing from git, store, scheduler, engine, server or cli', () => {
  const crossings: string[] = [];
  const dir = path.join(SRC, 'extension');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = path.relative(SRC, path.resolve(dir, m[1]!)).split(path.sep);
      if (FORBIDDEN.includes(target[0]!)) crossings.push(`src/extension/${name} imports ${m[1]}`);
    }
  }
  assert.deepEqual(crossings, []);
});
