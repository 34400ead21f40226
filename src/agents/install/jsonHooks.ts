// Lockstep's entries in a JSON hook configuration (Claude Code, Codex, Gemini CLI, Copilot, Cursor,
// Windsurf): added, replaced in place, or removed one by one with jsonc-parser edits, so everything
// else in the file (other hooks, settings, comments, formatting) is left as it was. Only entries whose
// command carries Lockstep's marker (see marker.ts), or that call Lockstep's hook tool (mcpToolHook.ts),
// are Lockstep's.
import * as fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { JSONPath } from 'jsonc-parser';
import { HookInstallError } from './installError';
import { edit, isObj, loadJsonc, parseJsonc, saveJsonc, type Json, type JsoncDoc } from './jsoncFile';
import { isLockstepHookCommand } from './marker';
import { isLockstepMcpToolHandler, MCP_TOOL_HANDLER_NAME } from './mcpToolHook';

/** One hook registration: in which event, and the entry the agent's format wants there. */
export interface Registration {
  event: string;
  entry: Json;
}

export interface JsonPlan {
  kind: 'json';
  file: string;
  /** grouped: Claude's {matcher, hooks:[…]} groups; flat: one entry per command (`command` or `bash`). */
  layout: 'grouped' | 'flat';
  /** Fields a new file starts with. */
  header: Json;
  registrations: Registration[];
  /** The file holds nothing but Lockstep's hooks: removed when uninstall empties it. */
  ownFile: boolean;
}

export interface FileChange {
  file: string;
  changed: boolean;
}

const handlerIsOurs = (h: unknown): boolean => isObj(h) && (isLockstepHookCommand(h.command) || isLockstepHookCommand(h.bash) || isLockstepMcpToolHandler(h));

/** Where Lockstep's handlers sit in one event's list: [group index, handler index or -1 for a flat entry]. */
function occurrences(list: unknown[], layout: JsonPlan['layout']): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  list.forEach((entry, gi) => {
    if (layout === 'flat') {
      if (handlerIsOurs(entry)) out.push([gi, -1]);
    } else if (isObj(entry) && Array.isArray(entry.hooks)) {
      entry.hooks.forEach((h, hi) => {
        if (handlerIsOurs(h)) out.push([gi, hi]);
      });
    }
  });
  return out;
}

function currentData(doc: JsoncDoc): Json {
  return parseJsonc(doc.file, doc.text) as Json;
}

/** The `hooks` object and its event arrays, validated before any change. */
function hooksOf(file: string, data: Json, events: string[]): Json {
  const hooks = data.hooks;
  if (hooks === undefined) return {};
  if (!isObj(hooks)) throw new HookInstallError(`${file}: "hooks" must be an object; nothing was changed`);
  for (const event of events) {
    if (hooks[event] !== undefined && !Array.isArray(hooks[event])) throw new HookInstallError(`${file}: "hooks.${event}" must be an array; nothing was changed`);
  }
  return hooks;
}

/** Removes Lockstep's handlers from one event (last first, so indices stay valid); returns how many groups went before `before`. */
function removeOurs(doc: JsoncDoc, event: string, layout: JsonPlan['layout']): { removed: number; first: number } {
  const list = (hooksOf(doc.file, currentData(doc), [event])[event] as unknown[] | undefined) ?? [];
  const found = occurrences(list, layout);
  for (const [gi, hi] of [...found].reverse()) {
    const group = list[gi] as Json;
    const wholeEntry = hi < 0 || (group.hooks as unknown[]).every(handlerIsOurs);
    const at: JSONPath = wholeEntry ? ['hooks', event, gi] : ['hooks', event, gi, 'hooks', hi];
    if (wholeEntry && hi >= 0 && found.some(([g, h]) => g === gi && h > hi)) continue; // the group goes once
    edit(doc, at, undefined);
  }
  return { removed: found.length, first: found.length ? found[0]![0] : -1 };
}

export function installJson(plan: JsonPlan): FileChange {
  const { doc, data } = loadJsonc(plan.file);
  const events = [...new Set(plan.registrations.map((r) => r.event))];
  hooksOf(plan.file, data, events);
  if (!doc.exists || doc.text.trim() === '') {
    for (const [k, v] of Object.entries(plan.header)) edit(doc, [k], v);
  }
  for (const { event, entry } of plan.registrations) {
    const list = (hooksOf(plan.file, currentData(doc), [event])[event] as unknown[] | undefined) ?? [];
    const found = occurrences(list, plan.layout);
    // Already there as planned (one group, which may hold several of Lockstep's handlers): nothing to do.
    if (found.length > 0 && found.every(([g]) => g === found[0]![0]) && isDeepStrictEqual(list[found[0]![0]], entry)) continue;
    if (list.length === 0 && !(event in ((currentData(doc).hooks as Json | undefined) ?? {}))) {
      edit(doc, ['hooks', event], [entry]);
      continue;
    }
    const { first } = removeOurs(doc, event, plan.layout);
    const after = (hooksOf(plan.file, currentData(doc), [event])[event] as unknown[] | undefined) ?? [];
    // Lockstep's entry stays where it was, so a reinstall keeps the user's ordering.
    const at = first < 0 ? after.length : Math.min(first, after.length);
    edit(doc, ['hooks', event, at], entry, true);
  }
  return { file: plan.file, changed: saveJsonc(doc) };
}

export function uninstallJson(plan: JsonPlan): FileChange {
  const { doc, data } = loadJsonc(plan.file);
  if (!doc.exists) return { file: plan.file, changed: false };
  // Only arrays can hold Lockstep's entries; other keys (Gemini's "enabled"…) are left alone.
  const events = Object.entries(isObj(data.hooks) ? data.hooks : {})
    .filter(([, v]) => Array.isArray(v))
    .map(([k]) => k);
  let removed = 0;
  for (const event of events) {
    const r = removeOurs(doc, event, plan.layout);
    removed += r.removed;
    if (r.removed && ((currentData(doc).hooks as Json)[event] as unknown[]).length === 0) edit(doc, ['hooks', event], undefined);
  }
  if (!removed) return { file: plan.file, changed: false };
  const left = currentData(doc);
  if (isObj(left.hooks) && Object.keys(left.hooks).length === 0) edit(doc, ['hooks'], undefined);
  // A file Lockstep created holds only its header now: remove it rather than leave an empty shell.
  if (isDeepStrictEqual(currentData(doc), plan.header) && (plan.ownFile || squeeze(doc.text) === squeeze(freshText(plan)))) {
    fs.rmSync(doc.target);
    return { file: plan.file, changed: true };
  }
  return { file: plan.file, changed: saveJsonc(doc) };
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

/** The text of a file holding only the plan's header, as install would start it. */
function freshText(plan: JsonPlan): string {
  const doc: JsoncDoc = { file: plan.file, target: plan.file, exists: false, original: '', text: '' };
  for (const [k, v] of Object.entries(plan.header)) edit(doc, [k], v);
  return doc.text || '{}';
}

/** Lockstep's handlers in a parsed configuration, for the doctor: [event, group, handler, command]. */
export function lockstepHandlers(data: Json, layout: JsonPlan['layout']): Array<{ event: string; group: number; handler: number; command: string; entry: Json }> {
  const out: Array<{ event: string; group: number; handler: number; command: string; entry: Json }> = [];
  if (!isObj(data.hooks)) return out;
  for (const [event, list] of Object.entries(data.hooks)) {
    if (!Array.isArray(list)) continue;
    for (const [gi, hi] of occurrences(list, layout)) {
      const handler = (hi < 0 ? list[gi] : ((list[gi] as Json).hooks as unknown[])[hi]) as Json;
      out.push({ event, group: gi, handler: Math.max(hi, 0), command: isLockstepMcpToolHandler(handler) ? MCP_TOOL_HANDLER_NAME : String(handler.command ?? handler.bash), entry: handler });
    }
  }
  return out;
}
