// How a landing queue settles one batch: merge the tasks (in dependency then finishing order) into one
// candidate, verify it once; when merging conflicts or the check fails, take the culprit out (and the
// tasks of the batch that depend on it) and go on with the rest, so that everything that passes lands
// together. A failing check is bisected over prefixes of the batch (every prefix holds its own
// dependencies, since the order is a dependency order), several split points at a time when
// verification may run in parallel. Results are cached by key (the candidate's tree id): a tree
// verified once is never verified again. Pure: merging and verifying are the caller's (BatchEnv).

export interface BatchTask {
  id: string;
  /** Ids this task depends on; only those inside the batch matter here (the rest have landed). */
  dependsOn?: readonly string[];
}

export interface VerifyOutcome {
  ok: boolean;
}

export interface BatchEnv<C, V extends VerifyOutcome> {
  /** The target as it is (the candidate when nothing lands). */
  readonly base: C;
  /**
   * Merges `tasks` in order onto the base: `chain[i]` is the candidate with tasks 0..i merged. Stops at
   * the first task that conflicts (`conflict.index`), the chain then holding the merges before it.
   */
  build(tasks: readonly BatchTask[]): Promise<{ chain: C[]; conflict?: { index: number; paths: string[] } }>;
  /** What identifies a candidate's content for the verification cache (a tree id). */
  key(candidate: C): string;
  verify(candidate: C): Promise<V>;
}

export type BatchCulprit<V> = { task: string; kind: 'conflict'; paths: string[] } | { task: string; kind: 'check'; run: V };

export interface BatchOutcome<C, V> {
  /** Tasks that land, in order. */
  land: BatchTask[];
  /** Candidate after each landing task (empty when nothing lands). */
  chain: C[];
  /** The commit to land: the last of `chain`, else the base. */
  candidate: C;
  /** In the order they were found. */
  culprits: BatchCulprit<V>[];
  /** Tasks of the batch that depend (directly or not) on a culprit: they wait for it, neither land nor fail. */
  heldBack: { task: string; waitsFor: string }[];
  /** Verification runs made (cache hits not counted). */
  runs: number;
  /** Set when the target itself fails the check: nothing can be blamed on a task, nothing lands. */
  baseFailed?: V;
}

export interface BatchOptions<V> {
  /** Verification runs at once while bisecting. Default 1. */
  parallel?: number;
  /** Verification results by key, shared between batches and retries. */
  cache?: Map<string, V>;
}

export async function settleBatch<C, V extends VerifyOutcome>(tasks: readonly BatchTask[], env: BatchEnv<C, V>, opts: BatchOptions<V> = {}): Promise<BatchOutcome<C, V>> {
  const parallel = Math.max(1, Math.floor(opts.parallel ?? 1));
  const cache = opts.cache ?? new Map<string, V>();
  const inFlight = new Map<string, Promise<V>>();
  let runs = 0;
  const verify = (c: C): Promise<V> => {
    const k = env.key(c);
    const hit = cache.get(k);
    if (hit) return Promise.resolve(hit);
    const running = inFlight.get(k);
    if (running) return running;
    runs++;
    const p = env.verify(c).then((v) => {
      cache.set(k, v);
      inFlight.delete(k);
      return v;
    });
    inFlight.set(k, p);
    return p;
  };

  const position = new Map(tasks.map((t, i) => [t.id, i] as const));
  let culprits: BatchCulprit<V>[] = [];
  let heldBack: { task: string; waitsFor: string }[] = [];
  let accepted: BatchTask[] = []; // a passing prefix (verified, or the base)
  let rest: BatchTask[] = [...tasks];
  // Takes a culprit out of `rest`, with every task of `rest` that needs it (transitively).
  const takeOut = (culprit: BatchCulprit<V>) => {
    culprits.push(culprit);
    rest = rest.filter((t) => t.id !== culprit.task);
    holdDependents();
  };
  const holdDependents = () => {
    const root = new Map<string, string>([...culprits.map((c) => [c.task, c.task] as const), ...heldBack.map((h) => [h.task, h.waitsFor] as const)]);
    rest = rest.filter((t) => {
      const dep = (t.dependsOn ?? []).find((d) => root.has(d));
      if (dep === undefined) return true;
      root.set(t.id, root.get(dep)!);
      heldBack.push({ task: t.id, waitsFor: root.get(dep)! });
      return false;
    });
  };
  // A task that conflicted with a later-found check culprit may merge cleanly without it: tasks taken
  // out for a conflict after the culprit's place (and those held back for them) get another try.
  const readmitAfter = (culprit: string) => {
    const at = position.get(culprit)!;
    const back = new Set(culprits.filter((c) => c.kind === 'conflict' && position.get(c.task)! > at).map((c) => c.task));
    if (back.size === 0) return;
    for (const h of heldBack) if (back.has(h.waitsFor)) back.add(h.task);
    culprits = culprits.filter((c) => !back.has(c.task));
    heldBack = heldBack.filter((h) => !back.has(h.task));
    rest = [...rest, ...tasks.filter((t) => back.has(t.id))].sort((a, b) => position.get(a.id)! - position.get(b.id)!);
    holdDependents();
  };

  for (;;) {
    const all = [...accepted, ...rest];
    const built = await env.build(all);
    if (built.conflict) {
      const { index, paths } = built.conflict;
      // The accepted prefix merged cleanly before onto the same base; merging is deterministic.
      if (index < accepted.length) throw new Error(`batch: task ${all[index].id} conflicted in a prefix that merged cleanly before`);
      takeOut({ task: all[index].id, kind: 'conflict', paths });
      continue;
    }
    const chain = built.chain;
    const done = (): BatchOutcome<C, V> => ({ land: accepted, chain: chain.slice(0, accepted.length), candidate: accepted.length > 0 ? chain[accepted.length - 1] : env.base, culprits, heldBack, runs });
    if (rest.length === 0) return done();
    const full = await verify(chain[all.length - 1]);
    if (full.ok) {
      accepted = all;
      return done();
    }
    // Prefix `lo` of rest passes (0: the accepted prefix), prefix `hi` fails; narrow to adjacent.
    let lo = 0;
    let hi = rest.length;
    let failing = full;
    while (hi - lo > 1) {
      const points = splitPoints(lo, hi, parallel);
      const results = await Promise.all(points.map((p) => verify(chain[accepted.length + p - 1])));
      for (const [i, r] of results.entries()) {
        if (r.ok) lo = points[i];
        else {
          hi = points[i];
          failing = r;
          break;
        }
      }
    }
    if (accepted.length === 0 && hi === 1) {
      // The first task alone fails: that blames it only if the target itself passes.
      const base = await verify(env.base);
      if (!base.ok) return { land: [], chain: [], candidate: env.base, culprits, heldBack, runs, baseFailed: base };
    }
    const culprit = rest[hi - 1];
    accepted = [...accepted, ...rest.slice(0, hi - 1)];
    rest = rest.slice(hi - 1);
    takeOut({ task: culprit.id, kind: 'check', run: failing });
    readmitAfter(culprit.id);
  }
}

/** Up to `n` prefix lengths strictly between lo and hi, evenly spread (the midpoint when n is 1). */
export function splitPoints(lo: number, hi: number, n: number): number[] {
  const inner = hi - lo - 1;
  const k = Math.min(n, inner);
  const points = new Set<number>();
  for (let j = 1; j <= k; j++) points.add(Math.min(hi - 1, Math.max(lo + 1, lo + Math.round((j * (hi - lo)) / (k + 1)))));
  return [...points].sort((a, b) => a - b);
}

/**
 * The order a queue takes its tasks: a task after the tasks it depends on, otherwise by when it finished
 * (then by id). Dependencies outside the list are ignored (landed, or not queued: see the caller).
 */
export function queueOrder<T extends { id: string; dependsOn?: readonly string[]; finishedAt?: number }>(tasks: readonly T[]): T[] {
  const pending = [...tasks].sort((a, b) => (a.finishedAt ?? Infinity) - (b.finishedAt ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set(tasks.map((t) => t.id));
  const placed = new Set<string>();
  const out: T[] = [];
  while (pending.length > 0) {
    let k = pending.findIndex((t) => (t.dependsOn ?? []).every((d) => !ids.has(d) || placed.has(d)));
    if (k < 0) k = 0; // a dependency cycle (refused by plan validation): finishing order
    const [t] = pending.splice(k, 1);
    placed.add(t.id);
    out.push(t);
  }
  return out;
}
