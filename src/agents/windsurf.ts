// Windsurf Cascade hooks (docs.windsurf.com/windsurf/cascade/hooks): `.windsurf/hooks.json`.
// Stdin: {agent_action_name, trajectory_id (the session), execution_id, timestamp, tool_info}.
// pre_write_code/post_write_code carry tool_info.file_path; pre_run_command/post_run_command carry
// tool_info.command_line, read for the files it obviously writes (shellTool.ts). Pre-hooks block with exit code 2 and
// the reason on stderr; anything else is printed nowhere (Windsurf reads no JSON answer).
// The payload has no cwd for write events: the hook process's cwd (ParseOptions.cwd) stands in.
import * as path from 'node:path';
import * as z from '../core/zod';
import type { Dialect, HookDecision, HookEvent, HookEventKind, ParseOptions } from './dialect';
import { HookInputError } from './dialect';
import { NO_OUTPUT, denyReason, exit2Answer } from './hookOutput';
import { absolutePath, check, nonEmptyString, rawEventName, type Payload } from './payloadCheck';
import { isWindsurfPayload } from './payloadShape';
import { readShellCall } from './shellTool';

const EVENT_KINDS: Readonly<Record<string, HookEventKind>> = {
  pre_write_code: 'pre-edit',
  post_write_code: 'post-edit',
  pre_user_prompt: 'prompt',
  post_cascade_response: 'stop',
  session_start: 'session-start',
  session_end: 'session-end',
};

/** Shell events, with whether they come before the command runs. */
const SHELL_EVENTS: Readonly<Record<string, boolean>> = { pre_run_command: true, post_run_command: false };

const Common = z.looseObject({
  agent_action_name: nonEmptyString,
  trajectory_id: nonEmptyString,
  cwd: z.optional(absolutePath),
  tool_info: z.optional(z.looseObject({})),
});

function parse(payload: Payload, opts: ParseOptions = {}): HookEvent {
  const where = `windsurf ${rawEventName(payload, 'agent_action_name')}`;
  const base = check(Common, payload, where);
  const info = base.tool_info ?? {};
  const infoCwd = typeof info.cwd === 'string' && path.isAbsolute(info.cwd) ? info.cwd : undefined;
  const kind = EVENT_KINDS[base.agent_action_name] ?? 'other';
  const event: HookEvent = {
    kind,
    agent: 'windsurf',
    sessionId: base.trajectory_id,
    cwd: '',
    paths: [],
    eventName: base.agent_action_name,
  };
  if (kind === 'pre-edit' || kind === 'post-edit') {
    if (!base.tool_info) throw new HookInputError(`${where}: tool_info must be an object (missing)`);
    event.paths = [check(nonEmptyString, info.file_path, where, ['tool_info', 'file_path'])];
    event.tool = base.agent_action_name;
  }
  const fallback = event.paths[0] && path.isAbsolute(event.paths[0]) ? path.dirname(event.paths[0]) : undefined;
  const cwd = base.cwd ?? infoCwd ?? opts.cwd ?? fallback;
  if (!cwd) throw new HookInputError(`${where}: cwd must be an absolute path (missing, and no hook cwd given)`);
  event.cwd = cwd;
  if (base.agent_action_name in SHELL_EVENTS) {
    event.tool = base.agent_action_name;
    readShellCall(event, info, SHELL_EVENTS[base.agent_action_name]!, { command: 'command_line' });
  }
  return event;
}

function answer(event: HookEvent | undefined, decision: HookDecision) {
  const eventName = event?.eventName ?? 'pre_write_code';
  if (decision.kind === 'deny' && eventName.startsWith('pre_')) return exit2Answer(denyReason(decision.reason));
  return NO_OUTPUT;
}

export const windsurfDialect: Dialect = { name: 'windsurf', detect: isWindsurfPayload, parse, answer };
