// TEST-ONLY fault injection for the landing engine's crash-safety tests.
//
// LOCKSTEP_FAULT=<point> makes the landing process SIGKILL itself when it reaches <point>:
//   after-merge:<k>     after the k-th merge commit of the candidate was written (k = 1, 2, ...)
//   after-candidate     after the candidate is complete and held by its temporary ref
//   during-check[:<k>]  right after the (k-th) verification command started
//   before-ref-update   just before the compare-and-swap of the target ref
//   after-ref-update    right after the target ref moved, before the checkout of the target is updated
// Never set it outside tests: the process dies without cleaning up (that is the point).

export type FaultPoint = 'after-merge' | 'after-candidate' | 'during-check' | 'before-ref-update' | 'after-ref-update';

export function maybeInjectFault(point: FaultPoint, ordinal?: number): void {
  const spec = process.env.LOCKSTEP_FAULT;
  if (!spec) return;
  const [name, n] = spec.split(':');
  if (name !== point) return;
  if (n !== undefined && Number(n) !== ordinal) return;
  process.kill(process.pid, 'SIGKILL');
}
