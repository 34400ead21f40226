// Files Lockstep writes at someone's request from a terminal (`lockstep hooks install`, `lockstep
// task add`) are that person's (or lead session's) edits, recorded as Lockstep's writes: not unleased
// edits blamed on whatever agent works in the checkout. Changed again by hand, they are unleased.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let home: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-own-writes-', files: { 'src/a.ts': 'a\n' } });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-own-writes-home-'));
  env = { HOME: home, LOCKSTEP_HOME: '', CLAUDE_CONFIG_DIR: '', LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_STORE: '' };
});
after(() => {
  repo.cleanup();
  fs.rmSync(home, { recursive: true, force: true });
});

interface Status {
  sessions: Array<{ id: string }>;
  edits: Array<{ key: string; session: string; tool?: string }>;
  unleased: Array<{ key: string; editedBy: string[] }>;
}
const status = (): Status => JSON.parse(runCli(['status', '--json'], { cwd: repo.root, env }).stdout) as Status;
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
  const r = runCli(args, { cwd: repo.root, env: { ...env, ...extra } });
  assert.equal(r.status, 0, `lockstep ${args.join(' ')}: ${r.stderr}`);
  return r;
};

test("`lockstep hooks install` from a terminal: the hook configuration is the person's edit, not an unleased one", () => {
  // An agent at work in the checkout: an unleased file would be blamed on it too.
  cli(['claim', 'src/a.ts', '--session', 'claude:busy-agent']);
  cli(['hooks', 'install', '--agent', 'claude', '--transport', 'command']);
  const person = `human:${os.userInfo().username}`;
  const s = status();
  assert.deepEqual(s.unleased, [], 'the configuration Lockstep wrote is an unleased edit');
  assert.ok(s.edits.some((e) => e.key === '.claude/settings.json' && e.session === person && e.tool === 'lockstep'), JSON.stringify(s.edits));
  // Changed by hand afterwards: the change is nobody's recorded edit, so it is unleased again.
  const file = path.join(repo.root, '.claude', 'settings.json');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n$/, '\n\n'));
  assert.deepEqual(status().unleased.map((u) => u.key), ['.claude/settings.json']);
  repo.commitAll('hooks');
});

test('`lockstep task add` by a lead session: the plan Lockstep rewrote is the lead\'s edit, not an unleased one', () => {
  cli(['task', 'add', 'docs', '--title', 'Docs', '--prompt', 'Write the docs', '--scope', 'docs/**'], { LOCKSTEP_SESSION: 'claude:the-lead' });
  const s = status();
  assert.deepEqual(s.unleased, [], 'the plan Lockstep wrote is an unleased edit');
  assert.ok(s.edits.some((e) => e.key === '.lockstep/plan.yaml' && e.session === 'claude:the-lead' && e.tool === 'lockstep'), JSON.stringify(s.edits));
});
