// A task being started is marked by a small file `<store>/starting/<task>.json` naming the process
// doing it. Starting spans several steps (worktree, setup, hooks, launch) that cannot all live in one
// store transaction; if that process dies half-way, the marker outlives it and the next scheduler
// sees an interrupted start (rather than a task "running" forever without an agent).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zodClassic';
import { identifyProcess, processVerdict } from '../process/processLiveness';
import { ProcessIdentity } from '../core/model';

const Marker = z.object({ task: z.string(), process: z.optional(ProcessIdentity), pid: z.number(), at: z.number() });
type Marker = z.infer<typeof Marker>;

function markerPath(storeDir: string, task: string): string {
  return path.join(storeDir, 'starting', `${task}.json`);
}

export function writeStartMarker(storeDir: string, task: string): void {
  const file = markerPath(storeDir, task);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body: Marker = { task, process: identifyProcess(process.pid), pid: process.pid, at: Date.now() };
  fs.writeFileSync(file, JSON.stringify(body));
}

export function removeStartMarker(storeDir: string, task: string): void {
  fs.rmSync(markerPath(storeDir, task), { force: true });
}

export type StartProgress = { state: 'none' } | { state: 'in-progress'; pid: number } | { state: 'interrupted'; pid: number; reason: string };

/** Whether a start of `task` is under way, or was interrupted (its process ended). */
export function startProgress(storeDir: string, task: string): StartProgress {
  let text: string;
  try {
    text = fs.readFileSync(markerPath(storeDir, task), 'utf8');
  } catch {
    return { state: 'none' };
  }
  let marker: Marker;
  try {
    marker = Marker.parse(JSON.parse(text));
  } catch {
    return { state: 'interrupted', pid: 0, reason: 'its start marker is unreadable' };
  }
  if (!marker.process) {
    // No identity (unsupported OS): trust a live pid.
    try {
      process.kill(marker.pid, 0);
      return { state: 'in-progress', pid: marker.pid };
    } catch {
      return { state: 'interrupted', pid: marker.pid, reason: `the process starting it (pid ${marker.pid}) ended` };
    }
  }
  const v = processVerdict(marker.process);
  if (v.state === 'dead') return { state: 'interrupted', pid: marker.pid, reason: `the process starting it (pid ${marker.pid}) ended` };
  return { state: 'in-progress', pid: marker.pid };
}

/** Tasks that have a start marker (a start under way, or one interrupted). */
export function startMarkerTasks(storeDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(storeDir, 'starting'))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length));
  } catch {
    return [];
  }
}
