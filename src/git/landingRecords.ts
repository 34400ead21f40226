// Landing records: refs/lockstep/landings/<n> points at a small commit whose parents are the target's
// tip before and after landing n. It is written in the same ref transaction that moves the target, so
// a landing and its record exist together; it keeps the old tip reachable for undo.
import { git, runGit } from './gitRunner';
import { LANDING_RECORD_PREFIX, UNDONE_RECORD_PREFIX } from './refNames';

export interface LandingRecord {
  n: number;
  ref: string;
  /** The record commit. */
  commit: string;
  target: string;
  before: string;
  after: string;
}

const SUBJECT = /^lockstep landing (\d+) onto (\S+)$/;

/** Landing records (not undone), newest first. */
export async function listLandingRecords(repoDir: string): Promise<LandingRecord[]> {
  return (await readRecords(repoDir, LANDING_RECORD_PREFIX)).sort((a, b) => b.n - a.n);
}

/** Writes (unreferenced) the record commit of landing `n`; the ref is created by the landing transaction. */
export async function writeRecordCommit(
  repoDir: string,
  rec: { n: number; target: string; before: string; after: string; tasks: { id: string; branch: string; outOfScope?: string[] }[] },
  commitEnv: Record<string, string> | undefined,
): Promise<string> {
  const message = `lockstep landing ${rec.n} onto ${rec.target}\n\n${JSON.stringify({ target: rec.target, tasks: rec.tasks })}\n`;
  return git(['commit-tree', '--no-gpg-sign', '-p', rec.before, '-p', rec.after, '-m', message, `${rec.after}^{tree}`], { cwd: repoDir, env: commitEnv });
}

export function recordRef(n: number): string {
  return `${LANDING_RECORD_PREFIX}${n}`;
}

export function undoneRef(n: number): string {
  return `${UNDONE_RECORD_PREFIX}${n}`;
}

/** Tasks recorded in a landing record commit's message. */
export async function recordTasks(repoDir: string, recordCommit: string): Promise<{ id: string; branch: string }[]> {
  const body = await git(['show', '-s', '--format=%b', recordCommit, '--'], { cwd: repoDir });
  try {
    const parsed = JSON.parse(body.trim()) as { tasks?: { id: string; branch: string }[] };
    return Array.isArray(parsed.tasks) ? parsed.tasks : [];
  } catch {
    return [];
  }
}

/** Applies ref updates as one transaction (`update-ref --stdin`): all happen or none do. */
export async function refTransaction(repoDir: string, lines: string[], message: string): Promise<void> {
  await runGit(['update-ref', '-m', message, '--stdin'], { cwd: repoDir, input: lines.map((l) => `${l}\n`).join('') });
}

async function readRecords(repoDir: string, prefix: string): Promise<LandingRecord[]> {
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(parent)%00%(contents:subject)', prefix], { cwd: repoDir });
  const records: LandingRecord[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ref, commit, parents, subject] = line.split('\0');
    const m = SUBJECT.exec(subject ?? '');
    const [before, after] = (parents ?? '').split(' ');
    if (!m || !before || !after) continue;
    records.push({ n: Number(m[1]), ref, commit, target: m[2], before, after });
  }
  return records;
}

export interface TargetSnapshot {
  /** Target tip and its tree, read together; undefined when the branch does not exist. */
  head?: { commit: string; tree: string };
  /** The number the next landing record gets. */
  nextNumber: number;
  /** Commit ids of the extra refs asked for (missing refs are absent). */
  refs: Map<string, string>;
}

/** Reads the target branch, the landing numbering and optionally other refs, in one git process. */
export async function readTargetSnapshot(repoDir: string, targetRef: string, extraRefs: readonly string[] = []): Promise<TargetSnapshot> {
  // for-each-ref patterns match whole ref names (or prefixes up to a '/'); valid ref names hold no glob characters.
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(tree)', targetRef, LANDING_RECORD_PREFIX, UNDONE_RECORD_PREFIX, ...extraRefs], { cwd: repoDir });
  const wanted = new Set(extraRefs);
  let head: TargetSnapshot['head'];
  const refs = new Map<string, string>();
  let max = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [ref, commit, tree] = line.split('\0');
    if (wanted.has(ref) && tree) refs.set(ref, commit);
    if (ref === targetRef) {
      if (tree) head = { commit, tree };
    } else if (ref.startsWith(LANDING_RECORD_PREFIX) || ref.startsWith(UNDONE_RECORD_PREFIX)) {
      const n = Number(ref.slice(ref.lastIndexOf('/') + 1));
      if (Number.isInteger(n) && n > max) max = n;
    }
  }
  return { head, nextNumber: max + 1, refs };
}
