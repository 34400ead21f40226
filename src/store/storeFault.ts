// TEST-ONLY fault injection for the store's crash tests: LOCKSTEP_STORE_FAULT=after-commit makes the
// process SIGKILL itself right after a commit reached its slot, before its journal lines are
// appended (what a kill -9 at that instant does). Never set it outside tests.
export type StoreFaultPoint = 'after-commit';

export function injectStoreFault(point: StoreFaultPoint): void {
  if (process.env.LOCKSTEP_STORE_FAULT === point) process.kill(process.pid, 'SIGKILL');
}
