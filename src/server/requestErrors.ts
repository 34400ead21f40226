/**
 * What every request host of the coordinator answers with when a request fails, declared once
 * so the main connection, the scheduler, the matrix and the memory hosts agree.
 */

/** Error code of lockstep requests while the server is idle (folder not in a git repository). */
export const NOT_A_REPOSITORY = -32001;

/** The first line of an error's message: replies and notifications carry one-line reasons. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
