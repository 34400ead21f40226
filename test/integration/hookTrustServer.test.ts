// Issue 12, item 5, in VS Code: hooks an agent will not run because of its own gate (Codex: an
// untrusted project, unapproved hooks; Gemini CLI and Copilot CLI: an untrusted folder) are listed by
// the coordinator's snapshot, which the Sessions view shows, per agent and file with the step that
// fixes it; once the folder is trusted the agent's entry is ok. Real server process, real
// `lockstep hooks install`, in a temporary home.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer } from './serverHarness';

let repo: TempRepo;
let base: string;
let home: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-hooktrust-' });
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hooktrust-home-')));
  home = path.join(base, 'home');
  fs.mkdirSync(home);
  env = { HOME: home, LOCKSTEP_HOME: '', CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', COPILOT_HOME: '', GEMINI_CLI_TRUSTED_FOLDERS_PATH: '', LOCKSTEP_FAIL_OPEN: '', LOCKSTEP_SESSION: '' };
  for (const agent of ['codex', 'gemini', 'copilot']) {
    const r = runCli(['hooks', 'install', '--agent', agent], { cwd: repo.root, env });
    assert.equal(r.status, 0, r.stderr);
  }
  repo.commitAll('agent hooks');
});
after(() => {
  repo?.cleanup();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

async function hooksSeen(want: (hooks: Array<{ agent: string; ok: boolean; problems: string[] }>) => boolean) {
  const server = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  try {
    const s = await server.waitFor('the installed hooks checked', (x) => want(x.hooks), 30_000);
    return s.hooks.filter((h) => h.scope === 'project');
  } finally {
    await server.stop();
  }
}

test('hooks each agent would skip in an untrusted folder are listed with the step that fixes it; trusting the folder clears its entry', async () => {
  const untrusted = await hooksSeen((hooks) => hooks.filter((h) => !h.ok).length >= 3);
  const problems = (agent: string) => untrusted.find((h) => h.agent === agent && !h.ok)?.problems.join('\n') ?? `(no problem listed for ${agent}: ${JSON.stringify(untrusted)})`;
  assert.match(problems('codex'), /Codex runs \.codex\/hooks\.json only in a trusted project, .* run `codex` there and trust the folder/);
  assert.match(problems('codex'), /Codex skips (\d+) of Lockstep's \1 hooks in .* until you approve them: run `codex` in .*, type \/hooks and approve/);
  assert.match(problems('gemini'), /Gemini CLI reads \.gemini\/settings\.json only in a trusted folder, .* run `gemini` there and trust the folder/);
  assert.match(problems('copilot'), /Copilot CLI ignores repository hooks \(\.github\/hooks\/lockstep\.json\) in a folder you have not trusted/);

  // The user trusts the folder in Gemini CLI (what its trust dialog writes) and in Copilot CLI.
  fs.mkdirSync(path.join(home, '.gemini'), { recursive: true });
  fs.writeFileSync(path.join(home, '.gemini', 'trustedFolders.json'), JSON.stringify({ [repo.root]: 'TRUST_FOLDER' }));
  fs.mkdirSync(path.join(home, '.copilot'), { recursive: true });
  fs.writeFileSync(path.join(home, '.copilot', 'config.json'), JSON.stringify({ trusted_folders: [repo.root] }));
  const trusted = await hooksSeen((hooks) => hooks.length >= 3);
  const okOf = (agent: string) => trusted.find((h) => h.agent === agent)?.ok;
  assert.deepEqual(
    ['codex', 'gemini', 'copilot'].map((a) => [a, okOf(a)]),
    [
      ['codex', false],
      ['gemini', true],
      ['copilot', true],
    ],
    JSON.stringify(trusted),
  );
});
