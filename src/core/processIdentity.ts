// A process on a given host (an agent, its supervisor), in its own file so that core/task.ts can name one
// without importing core/model.ts (which imports task.ts).
import * as z from './zod';

/** A process on a given host, identified so that a reused pid is never mistaken for the same process. */
export const ProcessIdentity = z.object({
  pid: z.int().check(z.positive()),
  /** Opaque start time as the OS reports it (Linux: boot id + clock ticks since boot; macOS: lstart). */
  startTime: z.string().check(z.minLength(1)),
  host: z.string().check(z.minLength(1)),
  /** Executable name, for humans (`claude`, `codex`, `node`). */
  command: z.optional(z.string()),
});
export type ProcessIdentity = z.infer<typeof ProcessIdentity>;

/** Whether two identities name the same process (a pid is reused; pid, start time and host together are not). */
export function sameProcess(a: ProcessIdentity | undefined, b: ProcessIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.pid === b.pid && a.startTime === b.startTime && a.host === b.host;
}
