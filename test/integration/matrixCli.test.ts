// `lockstep matrix` run as a real process (dist/cli.js), without a server: the table with one letter
// per kind and counts, the overlapping pairs with their files, JSON for scripts, --planned, errors.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MatrixCellDetail, MatrixState } from '../../src/protocol/matrixMethods';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeMatrixRepo, seedStore } from './matrixFixture';

before(() => ensureBuilt());

test('lockstep matrix prints the table and the overlapping pairs; --json and --planned', () => {
  const r = makeMatrixRepo();
  try {
    seedStore(r);
    const res = runCli(['matrix'], { cwd: r.repo.root });
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.split('\n');
    assert.match(lines[0]!, /^Conflict matrix of 4 tasks and 1 session \(plan .*\.lockstep\/plan\.yaml, target main\)$/);
    const table = lines.slice(2, 8).map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(table, [
      ['api', 'web', 'docs', 'img', 'vscode:alice'],
      ['api (running)', '·', 'M7 L5 P1', '-', '-', '-'],
      ['web (running)', 'M7 L5 P1', '·', '-', 'P1', 'L1'],
      ['docs (running)', '-', '-', '·', '-', '-'],
      ['img (queued)', '-', 'P1', '-', '·', '-'],
      ['vscode:alice (session)', '-', 'L1', '-', '-', '·'],
    ]);
    assert.match(res.stdout, /^Overlapping pairs \(3\):$/m);
    assert.match(res.stdout, /^ {2}api × web: merge 7 · live 5 · planned 1$/m);
    assert.match(res.stdout, /^ {4}M src\/both\.ts {2}merging api and web conflicts here$/m);
    assert.match(res.stdout, /^ {4}L src\/shared\.ts {2}api: leased, changed on branch · web: changed on branch$/m);
    assert.match(res.stdout, /^ {4}P assets\/logo\.bin {2}web: scope assets\/\*\* · img: scope assets\/\*\*$/m);
    assert.match(res.stdout, /^ {2}web × vscode:alice: live 1$/m);
    assert.match(res.stdout, /^ {4}L web\/app\.ts {2}web: edited · vscode:alice: leased$/m);
    assert.doesNotMatch(res.stdout, /Suggested waves/, 'tasks have started: no waves to apply');

    const json = runCli(['matrix', '--json'], { cwd: r.repo.root });
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(out.ok, true);
    const { ok: _ok, pairs, ...rest } = out;
    const state = MatrixState.parse(rest);
    assert.deepEqual(state.participants.map((p) => p.id), ['api', 'web', 'docs', 'img', 'vscode:alice']);
    const details = (pairs as unknown[]).map((p) => MatrixCellDetail.parse(p));
    assert.deepEqual(details.map((d) => `${d.a}×${d.b}:${d.strongest}`), ['api×web:merge', 'web×img:planned', 'web×vscode:alice:live']);
    assert.equal(details[0]!.merge.files.length, 7);

    const planned = runCli(['matrix', '--planned'], { cwd: r.repo.root });
    assert.equal(planned.status, 0, planned.stderr);
    assert.match(planned.stdout, /^Planned conflict matrix of 4 tasks /);
    assert.doesNotMatch(planned.stdout, /\bM\d|\bL\d/);
    assert.match(planned.stdout, /^ {2}api × web: planned 1$/m);
    assert.match(planned.stdout, /^Suggested waves: 1: api, docs, img · 2: web$/m);
    assert.doesNotMatch(planned.stdout, /vscode:alice/, 'sessions are live facts, not planned ones');
  } finally {
    r.cleanup();
  }
});

test('lockstep matrix: an invalid plan and a folder outside any repository are one-line errors', () => {
  const r = makeMatrixRepo();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-matrix-nogit-'));
  try {
    fs.writeFileSync(path.join(r.repo.root, '.lockstep/plan.yaml'), 'tasks:\n  - id: Bad Id\n    title: x\n    prompt: y\n    scope: ["a/**"]\n');
    const bad = runCli(['matrix'], { cwd: r.repo.root });
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^lockstep: \.lockstep\/plan\.yaml:2: tasks\[0\]\.id: must match/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const badJson = runCli(['matrix', '--json'], { cwd: r.repo.root });
    assert.equal(badJson.status, 1);
    assert.equal(JSON.parse(badJson.stdout).ok, false);

    const none = runCli(['matrix'], { cwd: outside });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^lockstep: .*not .*git/i);
  } finally {
    r.cleanup();
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
