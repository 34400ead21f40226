// Simulated agents for end-to-end tests: real `lockstep hook` processes run through `sh -c` (as
// agents run hooks) with payloads shaped exactly as Claude Code and Codex send them.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CLI } from '../../helpers/cli';

export interface HookOutcome {
  allowed: boolean;
  reason: string;
}

function run(payload: Record<string, unknown>, cwd: string, agent: string, env: NodeJS.ProcessEnv = {}): HookOutcome {
  const r = spawnSync('/bin/sh', ['-c', `node ${JSON.stringify(CLI)} hook --agent ${agent}`], {
    cwd,
    input: JSON.stringify(payload),
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (r.status === 2) return { allowed: false, reason: r.stderr.trim() };
  if (r.status !== 0) throw new Error(`hook exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.trim();
  if (!out) return { allowed: true, reason: '' };
  const j = JSON.parse(out) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
  const d = j.hookSpecificOutput;
  return d?.permissionDecision === 'deny' ? { allowed: false, reason: d.permissionDecisionReason ?? '' } : { allowed: true, reason: '' };
}

/** A Claude Code session working in `cwd`. */
export function claudeSession(sessionId: string, cwd: string) {
  const base = (event: string) => ({
    session_id: sessionId,
    transcript_path: path.join(cwd, `.${sessionId}.jsonl`),
    cwd,
    permission_mode: 'acceptEdits',
    hook_event_name: event,
  });
  return {
    id: `claude:${sessionId}`,
    start: () => run({ ...base('SessionStart'), source: 'startup' }, cwd, 'claude'),
    preEdit: (rel: string, content = 'x') =>
      run({ ...base('PreToolUse'), tool_name: 'Write', tool_input: { file_path: path.join(cwd, rel), content }, tool_use_id: `toolu_${Date.now()}` }, cwd, 'claude'),
    postEdit: (rel: string, content = 'x') =>
      run(
        { ...base('PostToolUse'), tool_name: 'Write', tool_input: { file_path: path.join(cwd, rel), content }, tool_response: { filePath: path.join(cwd, rel), success: true }, tool_use_id: `toolu_${Date.now()}` },
        cwd,
        'claude',
      ),
    end: () => run({ ...base('SessionEnd'), reason: 'exit' }, cwd, 'claude'),
  };
}

/** A Codex session working in `cwd`: edits arrive as apply_patch. */
export function codexSession(sessionId: string, cwd: string) {
  const base = (event: string) => ({
    session_id: sessionId,
    turn_id: `turn-${Date.now()}`,
    transcript_path: null,
    cwd,
    hook_event_name: event,
    model: 'gpt-5-codex',
    permission_mode: 'default',
  });
  return {
    id: `codex:${sessionId}`,
    preEdit: (rel: string) =>
      run(
        { ...base('PreToolUse'), tool_name: 'apply_patch', tool_input: { command: `*** Begin Patch\n*** Update File: ${rel}\n@@\n-a\n+b\n*** End Patch\n` }, tool_use_id: `call_${Date.now()}` },
        cwd,
        'codex',
      ),
  };
}
