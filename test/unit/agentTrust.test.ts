// Whether the agent will run the hooks at all (agents/install/agentTrust.ts), from the agents' own
// files: Codex's config.toml (project trust, approved hook hashes), Gemini's trustedFolders.json,
// Copilot's trusted_folders, Claude Code's disableAllHooks and managed policy.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeProblems, codexProblems, copilotProblems, geminiProblems, type TrustContext } from '../../src/agents/install/agentTrust';

let base: string;
let n = 0;
before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-trust-')));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

function ctx(agent: TrustContext['agent'], file: string, extra: Partial<TrustContext> = {}): TrustContext {
  n++;
  const home = path.join(base, `home${n}`);
  const repoRoot = path.join(base, `repo${n}`);
  fs.mkdirSync(home);
  fs.mkdirSync(repoRoot);
  return { agent, scope: 'project', repoRoot, file: path.join(repoRoot, file), handlers: [], home, env: {}, ...extra };
}

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

describe('Codex: trusted project and approved hooks', () => {
  it('an untrusted project with unapproved hooks: two problems, each with the step that fixes it', () => {
    const c = ctx('codex', '.codex/hooks.json', { handlers: [{ event: 'PreToolUse', group: 0, handler: 0 }, { event: 'SessionEnd', group: 0, handler: 0 }] });
    const p = codexProblems(c);
    assert.equal(p.length, 2);
    assert.match(p[0]!, /only in a trusted project, and .* is not trusted in .*config\.toml: run `codex` there and trust the folder/);
    assert.match(p[1]!, /Codex skips 2 of Lockstep's 2 hooks .* until you approve them: run `codex` in .*, type \/hooks and approve/);
  });

  it('trusted and approved (keys by file, snake_case event, group and handler): no problem; a disabled hook is one', () => {
    const c = ctx('codex', '.codex/hooks.json', { handlers: [{ event: 'PreToolUse', group: 1, handler: 0 }, { event: 'UserPromptSubmit', group: 0, handler: 0 }] });
    const toml = (enabled: string) => `model = "gpt-5.5"

[projects."${c.repoRoot}"]
trust_level = "trusted"

[hooks.state."${c.file}:pre_tool_use:1:0"]
trusted_hash = "sha256:aa"

[hooks.state."${c.file}:user_prompt_submit:0:0"]
trusted_hash = "sha256:bb"
${enabled}
`;
    write(path.join(c.home!, '.codex', 'config.toml'), toml(''));
    assert.deepEqual(codexProblems(c), []);
    write(path.join(c.home!, '.codex', 'config.toml'), toml('enabled = false'));
    assert.match(codexProblems(c).join('\n'), /1 of Lockstep's hooks .* are disabled/);
  });
});

describe('Gemini: trusted folders', () => {
  it('untrusted, trusted by TRUST_FOLDER or a parent’s TRUST_PARENT, DO_NOT_TRUST, or folder trust off', () => {
    const c = ctx('gemini', '.gemini/settings.json');
    assert.match(geminiProblems(c)[0]!, /reads \.gemini\/settings\.json only in a trusted folder, and .* is not in .*trustedFolders\.json: run `gemini` there and trust the folder/);
    const trusted = path.join(c.home!, '.gemini', 'trustedFolders.json');
    write(trusted, JSON.stringify({ [c.repoRoot]: 'TRUST_FOLDER' }));
    assert.deepEqual(geminiProblems(c), []);
    write(trusted, JSON.stringify({ [path.join(c.repoRoot, 'sub')]: 'TRUST_PARENT' }));
    assert.deepEqual(geminiProblems(c), []);
    write(trusted, JSON.stringify({ [c.repoRoot]: 'DO_NOT_TRUST' }));
    assert.match(geminiProblems(c)[0]!, /is marked DO_NOT_TRUST/);
    write(path.join(c.home!, '.gemini', 'settings.json'), '{ "security": { "folderTrust": { "enabled": false } } }');
    assert.deepEqual(geminiProblems(c), []);
    assert.deepEqual(geminiProblems({ ...c, scope: 'user' }), []);
  });
});

describe('Copilot CLI: repository hooks need a trusted folder', () => {
  it('says so until the folder is in trusted_folders; user hooks always run', () => {
    const c = ctx('copilot', '.github/hooks/lockstep.json');
    assert.match(copilotProblems(c)[0]!, /Copilot CLI ignores repository hooks \(\.github\/hooks\/lockstep\.json\) in a folder you have not trusted.*or install with --scope user/);
    write(path.join(c.home!, '.copilot', 'config.json'), JSON.stringify({ trusted_folders: [c.repoRoot] }));
    assert.deepEqual(copilotProblems(c), []);
    assert.deepEqual(copilotProblems({ ...c, scope: 'user', home: path.join(base, 'nobody') }), []);
  });
});

describe('Claude Code: settings that turn hooks off', () => {
  it('disableAllHooks in any settings file, or a managed policy', () => {
    const c = ctx('claude', '.claude/settings.json');
    const managed = path.join(c.home!, 'managed-settings.json');
    assert.deepEqual(claudeProblems(c, managed), []);
    write(path.join(c.repoRoot, '.claude', 'settings.local.json'), '{ "disableAllHooks": true }');
    assert.match(claudeProblems(c, managed)[0]!, /settings\.local\.json sets "disableAllHooks": true \(remove it\)/);
    write(managed, '{ "allowManagedHooksOnly": true }');
    assert.match(claudeProblems(c, managed)[0]!, /runs only managed hooks/);
  });
});
