import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { agentsOnPath } from '../../src/agents/agentsOnMachine';

test('agents are found by their executable programs on PATH, not by non-executable files or folders', () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-path-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-path-b-'));
  try {
    fs.writeFileSync(path.join(a, 'claude'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(b, 'cursor-agent'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(b, 'codex'), 'not executable', { mode: 0o644 });
    fs.mkdirSync(path.join(a, 'gemini'));
    assert.deepEqual(agentsOnPath([a, b, '/nonexistent'].join(path.delimiter), 'linux'), ['claude', 'cursor']);
    assert.deepEqual(agentsOnPath('', 'linux'), []);
  } finally {
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  }
});
