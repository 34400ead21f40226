// A scripted, printed scenario: a Claude Code session and a Codex session, each in its own worktree
// of one temp repository, contend for the same file through real `lockstep hook` processes fed the
// agents' documented hook payloads. Exits non-zero if any step does not behave as shown.
// Run: node --import tsx scripts/contention-demo.ts
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, ensureBuilt } from './support/cli';
import { makeTempRepo } from './support/tempRepo';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function run(args: string[], cwd: string, input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' } });
  return { code: r.status ?? -1, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

function verdict(stdout: string): { denied: boolean; reason?: string } {
  if (!stdout) return { denied: false };
  const out = JSON.parse(stdout) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason };
}

let step = 0;
function show(title: string, payload: object, r: ReturnType<typeof run>): void {
  step++;
  console.log(`\n${bold(`Step ${step}: ${title}`)}`);
  console.log(`  payload: ${JSON.stringify(payload).slice(0, 160)}…`);
  console.log(`  lockstep hook -> exit ${r.code}${r.stdout ? `, stdout ${r.stdout}` : ', no output (no objection)'}`);
  if (r.stderr) console.log(`  stderr: ${r.stderr}`);
}

function expect(cond: boolean, what: string): void {
  if (!cond) {
    console.error(`\nUNEXPECTED: ${what}`);
    process.exitCode = 1;
    throw new Error(what);
  }
}

function main(): void {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-demo-', files: { 'src/api.ts': 'export const api = 1;\n', 'README.md': '# demo\n' } });
  try {
    const wtClaude = repo.addWorktree('wt-claude', 'task/claude');
    const wtCodex = repo.addWorktree('wt-codex', 'task/codex');
    console.log(bold('Lockstep contention demo'));
    console.log(`  repository ${repo.root}\n  Claude works in ${wtClaude}\n  Codex works in ${wtCodex}`);

    const claudeEdit = {
      session_id: '5f0c2a8e-claude-demo',
      transcript_path: path.join(os.homedir(), '.claude', 'projects', 'demo', '5f0c2a8e-claude-demo.jsonl'),
      cwd: wtClaude,
      permission_mode: 'default',
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: { file_path: path.join(wtClaude, 'src/api.ts'), old_string: 'api = 1', new_string: 'api = 2' },
      tool_use_id: 'toolu_01demo',
    };
    const a = run(['hook', '--agent', 'claude'], wtClaude, JSON.stringify(claudeEdit));
    show('Claude edits src/api.ts (PreToolUse Edit)', claudeEdit, a);
    expect(a.code === 0 && !verdict(a.stdout).denied, 'Claude should be allowed');

    const codexPatch = {
      session_id: '9a41-codex-demo',
      turn_id: 'turn-1',
      transcript_path: null,
      cwd: wtCodex,
      hook_event_name: 'PreToolUse',
      model: 'gpt-5-codex',
      permission_mode: 'default',
      tool_name: 'apply_patch',
      tool_input: { command: '*** Begin Patch\n*** Update File: src/api.ts\n@@\n-export const api = 1;\n+export const api = 3;\n*** End Patch\n' },
      tool_use_id: 'call_demo',
    };
    const b = run(['hook', '--agent', 'codex'], wtCodex, JSON.stringify(codexPatch));
    show('Codex patches the same file in its own worktree (PreToolUse apply_patch)', codexPatch, b);
    const vb = verdict(b.stdout);
    expect(b.code === 0 && vb.denied, 'Codex should be denied');
    console.log(`  ${bold('denied:')} ${vb.reason}`);

    step++;
    console.log(`\n${bold(`Step ${step}: lockstep status`)}`);
    console.log(run(['status'], repo.root).stdout.replace(/^/gm, '  '));

    const claudeEnd = {
      session_id: claudeEdit.session_id,
      transcript_path: claudeEdit.transcript_path,
      cwd: wtClaude,
      permission_mode: 'default',
      hook_event_name: 'SessionEnd',
      reason: 'prompt_input_exit',
    };
    const end = run(['hook', '--agent', 'claude'], wtClaude, JSON.stringify(claudeEnd));
    show("Claude's session ends (SessionEnd): its leases are released", claudeEnd, end);
    expect(end.code === 0, 'SessionEnd should succeed');

    const b2 = run(['hook', '--agent', 'codex'], wtCodex, JSON.stringify(codexPatch));
    show('Codex retries the patch', codexPatch, b2);
    expect(b2.code === 0 && !verdict(b2.stdout).denied, 'Codex should now be allowed');

    step++;
    console.log(`\n${bold(`Step ${step}: lockstep journal`)}`);
    console.log(run(['journal'], repo.root).stdout.replace(/^/gm, '  '));
    console.log(`\n${bold('Done:')} one file, two agents, two worktrees; never both editing it at once.`);
  } finally {
    repo.cleanup();
  }
}

main();
