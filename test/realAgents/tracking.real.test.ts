// What Lockstep reports about a real Claude Code session's edits is what happened (issue 12, items
// 1, 2 and 9), read back through `lockstep status --json` with the run's own home folder (so the
// transcript reader finds Claude's transcript):
//  - its edit of a file another session holds is denied, and so is no edit of its;
//  - its shell command appending to that held file is an unleased edit, naming Claude's session as
//    the probable author, not the holder's edit;
//  - the edit it made and left uncommitted is, after its session ended, its left-over work.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS, type AgentHome } from './agents';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

interface TrackingStatus {
  edits: Array<{ key: string; session: string }>;
  unleased: Array<{ key: string; shellBy?: string; notWrittenByHolder?: string }>;
  endedWork: Array<{ key: string; session: string }>;
}

/** Lets Claude run shell commands headless (acceptEdits alone asks, and nobody answers). */
function allowBash(h: AgentHome): void {
  const file = path.join(h.home, '.claude', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ permissions: { allow: ['Bash'] } }, null, 2)}\n`);
}

describe('Claude Code: what status says it edited is what it edited', { timeout: 180_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: 'command' });
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
  });
  after(async () => {
    await world?.cleanup();
  });

  test('a denied edit is none; a shell write into a held file is unleased, probably by Claude; its uncommitted edit is left-over work', async () => {
    const root = world.repo.root;
    const fileA = path.join(root, 'src/a.ts');
    const fileB = path.join(root, 'src/b.ts');
    const run = await world.run(
      'claude',
      [
        DRIVERS.claude.editTurn(fileB, 'export const b = 2;', 'export const b = 3;', root),
        { tool: 'Bash', args: { command: `node -e "require('fs').appendFileSync('src/b.ts', '// by a shell command\\n')"`, description: 'Append a line to src/b.ts' } },
        DRIVERS.claude.editTurn(fileA, 'export const a = 1;', 'export const a = 5;', root),
        { say: 'Done.' },
      ],
      { beforeStart: allowBash },
    );
    assert.equal(fs.readFileSync(fileB, 'utf8'), 'export const b = 2;\n// by a shell command\n', 'the Edit was denied, the shell command ran');
    assert.equal(fs.readFileSync(fileA, 'utf8'), 'export const a = 5;\n');
    const first = run.server.mainRequests()[0]!.body as { metadata?: { user_id?: string } };
    const id = (JSON.parse(first.metadata?.user_id ?? '{}') as { session_id?: string }).session_id;
    assert.ok(id, 'the session id is in the request metadata');
    const session = `claude:${id}`;

    const st = world.status({ HOME: run.home }) as unknown as TrackingStatus;
    assert.ok(!st.edits.some((e) => e.key === 'src/b.ts' && e.session === session), `the denied Edit is no edit: ${JSON.stringify(st.edits)}`);
    assert.ok(!st.edits.some((e) => e.key === 'src/b.ts' && e.session === 'human:other'), 'the shell write is not the holder\'s edit');
    const b = st.unleased.find((u) => u.key === 'src/b.ts');
    assert.ok(b, `src/b.ts is an unleased edit: ${JSON.stringify(st.unleased)}`);
    assert.equal(b.shellBy, session);
    assert.equal(b.notWrittenByHolder, 'human:other');
    const a = st.endedWork.find((w) => w.key === 'src/a.ts');
    assert.equal(a?.session, session, `src/a.ts is the ended session's left-over work: ${JSON.stringify(st)}`);
    assert.ok(!st.unleased.some((u) => u.key === 'src/a.ts'), 'not an escape');
  });
});

describe("Claude Code without hooks: an edit's time is its transcript entry's, not the file's", { timeout: 120_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: [] });
  });
  after(async () => {
    await world?.cleanup();
  });

  test('a transcript touched an hour later leaves the edit at the time Claude made it (issue 12, item 10)', async () => {
    const root = world.repo.root;
    const startedAt = Date.now();
    const run = await world.run('claude', [DRIVERS.claude.editTurn(path.join(root, 'src/a.ts'), 'export const a = 1;', 'export const a = 5;', root), { say: 'Done.' }]);
    const endedAt = Date.now();
    const projects = path.join(run.home, '.claude', 'projects');
    const transcripts = fs.readdirSync(projects, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(projects, f));
    assert.ok(transcripts.length > 0, `Claude wrote a transcript under ${projects}`);
    // As when the session goes on (a later message, a resume): the file's time moves, its entries' do not.
    const later = new Date(endedAt + 3_600_000);
    for (const t of transcripts) fs.utimesSync(t, later, later);
    const st = world.status({ HOME: run.home });
    const edit = st.edits.find((e) => e.key === 'src/a.ts') as { at?: number; sources?: string[] } | undefined;
    assert.ok(edit, `the edit is known from the transcript: ${JSON.stringify(st.edits)}`);
    assert.deepEqual(edit.sources, ['transcript']);
    assert.ok(edit.at! >= startedAt - 1000 && edit.at! <= endedAt, `the edit's time ${new Date(edit.at!).toISOString()} is within the run (${new Date(startedAt).toISOString()}…${new Date(endedAt).toISOString()}), not the file's ${later.toISOString()}`);
  });
});
