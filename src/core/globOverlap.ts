// Do two task scopes (lists of globs) overlap? Two answers:
// - over the repository's tracked files: exact, with the shared files and which glob pairs share them;
// - symbolically, from the patterns alone, for files that do not exist yet (`src/api/**` vs
//   `src/api/new.ts`). This one is conservative: it says "disjoint" only when it can prove it.
// A ScopeIndex indexes the tracked files once (sorted, so a glob's literal base narrows the files to
// test) and caches each glob's matches as a bitset, so comparing scopes is word-wise AND.
import picomatch from 'picomatch';

const MATCH_OPTIONS = { dot: true } as const;

/** A set of file indices of one ScopeIndex, as a bitset. */
export class FileSet {
  readonly words: Uint32Array;
  constructor(readonly capacity: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array((capacity + 31) >>> 5);
  }
  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
  }
  addRange(from: number, to: number): void {
    for (let i = from; i < to; i++) this.words[i >>> 5] |= 1 << (i & 31);
  }
  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }
  count(): number {
    let n = 0;
    for (let w = 0; w < this.words.length; w++) n += popcount(this.words[w]);
    return n;
  }
  isEmpty(): boolean {
    for (let w = 0; w < this.words.length; w++) if (this.words[w] !== 0) return false;
    return true;
  }
  union(other: FileSet): FileSet {
    const out = new FileSet(this.capacity, this.words.slice());
    for (let w = 0; w < out.words.length; w++) out.words[w] |= other.words[w];
    return out;
  }
  and(other: FileSet): FileSet {
    const out = new FileSet(this.capacity, this.words.slice());
    for (let w = 0; w < out.words.length; w++) out.words[w] &= other.words[w];
    return out;
  }
  intersects(other: FileSet): boolean {
    for (let w = 0; w < this.words.length; w++) if ((this.words[w] & other.words[w]) !== 0) return true;
    return false;
  }
  andCount(other: FileSet): number {
    let n = 0;
    for (let w = 0; w < this.words.length; w++) {
      const x = this.words[w] & other.words[w];
      if (x !== 0) n += popcount(x);
    }
    return n;
  }
  /** Indices in ascending order; stops after `limit`. */
  indices(limit = Infinity): number[] {
    const out: number[] = [];
    for (let w = 0; w < this.words.length && out.length < limit; w++) {
      let x = this.words[w];
      while (x !== 0 && out.length < limit) {
        const bit = x & -x;
        out.push((w << 5) + (31 - Math.clz32(bit)));
        x ^= bit;
      }
    }
    return out;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface ScopeOverlap {
  /** Tracked files inside both scopes, sorted (at most `limit`). */
  files: string[];
  /** Number of tracked files inside both scopes (may exceed files.length when limited). */
  fileCount: number;
  /** Glob pairs [globOfA, globOfB] that share at least one tracked file. */
  byGlobs: [string, string][];
  /** Glob pairs whose patterns may overlap, shared tracked files or not (conservative). */
  symbolic: [string, string][];
  /** Files shared, or patterns that may overlap: the scopes must not be written at the same time. */
  overlapping: boolean;
}

/** `./src/**` and `src/**` are the same glob. */
export function normalizeGlob(glob: string): string {
  let g = glob;
  while (g.startsWith('./')) g = g.slice(2);
  return g;
}

/** Tracked files indexed once; each glob's matches computed once and kept as a bitset. */
export class ScopeIndex {
  readonly files: readonly string[];
  private readonly position = new Map<string, number>();
  private readonly globSets = new Map<string, FileSet>();
  private readonly scopeSets = new Map<string, FileSet>();
  /** Counters for tests and benchmarks. */
  readonly stats = { globsCompiled: 0, filesTested: 0 };

  constructor(trackedFiles: Iterable<string>) {
    const sorted = [...new Set(trackedFiles)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.files = sorted;
    sorted.forEach((f, i) => this.position.set(f, i));
  }

  get size(): number {
    return this.files.length;
  }

  indexOf(file: string): number {
    return this.position.get(file) ?? -1;
  }

  /** The files a glob matches, as a bitset (cached). */
  globSet(glob: string): FileSet {
    let set = this.globSets.get(glob);
    if (!set) {
      set = this.computeGlob(normalizeGlob(glob));
      this.globSets.set(glob, set);
    }
    return set;
  }

  /** The files any glob of a scope matches, as a bitset (cached per scope). */
  scopeSet(scope: readonly string[]): FileSet {
    const key = scope.join('\n');
    let set = this.scopeSets.get(key);
    if (!set) {
      set = new FileSet(this.files.length);
      for (const g of scope) {
        const gs = this.globSet(g);
        for (let w = 0; w < set.words.length; w++) set.words[w] |= gs.words[w];
      }
      this.scopeSets.set(key, set);
    }
    return set;
  }

  matches(glob: string): string[] {
    return this.globSet(glob).indices().map((i) => this.files[i]);
  }

  scopeFiles(scope: readonly string[]): string[] {
    return this.scopeSet(scope).indices().map((i) => this.files[i]);
  }

  /** Whether a tracked file is inside a scope. */
  inScope(scope: readonly string[], file: string): boolean {
    const i = this.indexOf(file);
    if (i >= 0) return this.scopeSet(scope).has(i);
    return scope.some((g) => matcher(normalizeGlob(g))(file));
  }

  /** Overlap of two scopes: shared tracked files and the glob pairs responsible; `limit` caps `files`. */
  overlap(scopeA: readonly string[], scopeB: readonly string[], opts: { limit?: number } = {}): ScopeOverlap {
    const shared = this.scopeSet(scopeA).and(this.scopeSet(scopeB));
    const fileCount = shared.count();
    const files = shared.indices(opts.limit).map((i) => this.files[i]);
    const byGlobs: [string, string][] = [];
    if (fileCount > 0) {
      for (const ga of scopeA) for (const gb of scopeB) if (this.globSet(ga).intersects(this.globSet(gb))) byGlobs.push([ga, gb]);
    }
    const symbolic = scopesMayOverlap(scopeA, scopeB);
    return { files, fileCount, byGlobs, symbolic, overlapping: fileCount > 0 || symbolic.length > 0 };
  }

  /** Cheap yes/no: shared tracked files or patterns that may overlap. */
  overlaps(scopeA: readonly string[], scopeB: readonly string[]): boolean {
    return this.scopeSet(scopeA).intersects(this.scopeSet(scopeB)) || scopesMayOverlap(scopeA, scopeB).length > 0;
  }

  private computeGlob(glob: string): FileSet {
    this.stats.globsCompiled++;
    const set = new FileSet(this.files.length);
    const scan = picomatch.scan(glob);
    if (!scan.isGlob && !glob.includes('\\')) {
      const i = this.indexOf(glob);
      if (i >= 0) set.add(i);
      return set;
    }
    // Every match is the glob's literal base itself or lies under `base/`: a contiguous run of the sorted list.
    const base = glob.startsWith('!') || glob.includes('\\') ? '' : scan.base;
    let lo = 0;
    let hi = this.files.length;
    if (base) {
      lo = this.lowerBound(base + '/');
      hi = this.lowerBound(base + '0'); // '0' follows '/' in code-unit order
    }
    const exactBase = base ? this.indexOf(base) : -1;
    if (glob === `${base}/**`) {
      set.addRange(lo, hi);
      if (exactBase >= 0) set.add(exactBase);
      return set;
    }
    const isMatch = matcher(glob);
    const suffix = guaranteedSuffix(glob);
    for (let i = lo; i < hi; i++) {
      const f = this.files[i];
      if (suffix && !f.endsWith(suffix)) continue;
      this.stats.filesTested++;
      if (isMatch(f)) set.add(i);
    }
    if (exactBase >= 0 && isMatch(base)) set.add(exactBase);
    return set;
  }

  private lowerBound(s: string): number {
    let lo = 0;
    let hi = this.files.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.files[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Overlap of two scopes over a list of tracked files (or an existing index). */
export function overlap(
  scopeA: readonly string[],
  scopeB: readonly string[],
  trackedFiles: Iterable<string> | ScopeIndex,
  opts: { limit?: number } = {},
): ScopeOverlap {
  const index = trackedFiles instanceof ScopeIndex ? trackedFiles : new ScopeIndex(trackedFiles);
  return index.overlap(scopeA, scopeB, opts);
}

const matchers = new Map<string, (s: string) => boolean>();
/**
 * Same verdict as `picomatch(glob, {dot: true})(s)` (its test is: non-empty and equal to the glob or
 * matching its regex) without the result objects picomatch allocates per call.
 */
function matcher(glob: string): (s: string) => boolean {
  let m = matchers.get(glob);
  if (!m) {
    const re = picomatch.makeRe(glob, MATCH_OPTIONS);
    m = (s: string) => s !== '' && (s === glob || re.test(s));
    matchers.set(glob, m);
  }
  return m;
}

/**
 * Text every match of `glob` ends with ('' when unknown): the literal characters after its last
 * wildcard. A leading '/' is dropped because `**\/x` also matches `x`.
 */
function guaranteedSuffix(glob: string): string {
  if (/[{}()\\]/.test(glob)) return '';
  let k = glob.length;
  while (k > 0 && !/[*?[\]!+@]/.test(glob[k - 1])) k--;
  if (k === 0) return '';
  const tail = glob.slice(k);
  return tail.startsWith('/') ? tail.slice(1) : tail;
}

// ---------------------------------------------------------------------------------------------
// Symbolic overlap

const SEGMENT_MAGIC = /[*?[\]]/;
/** Patterns the segment analysis does not model (braces, extglobs, negation, escapes): prefix analysis only. */
const COMPLEX = /[{}()\\]|^!|[+@!]\(/;

/** Pairs [a, b] of globs from the two scopes that may match a common path. */
export function scopesMayOverlap(scopeA: readonly string[], scopeB: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const a of scopeA) for (const b of scopeB) if (globsMayOverlap(a, b)) out.push([a, b]);
  return out;
}

const symbolicCache = new Map<string, boolean>();

/**
 * Whether some path could match both globs. False only when provably impossible: a literal segment that
 * differs, segments whose fixed prefixes or suffixes differ (`*.ts` vs `*.js`), or different depths
 * without `**`. Compares segments from the front until a `**`, then from the back until a `**`.
 */
export function globsMayOverlap(globA: string, globB: string): boolean {
  const key = globA < globB ? `${globA}\n${globB}` : `${globB}\n${globA}`;
  let r = symbolicCache.get(key);
  if (r === undefined) {
    r = computeMayOverlap(normalizeGlob(globA), normalizeGlob(globB));
    if (symbolicCache.size > 100_000) symbolicCache.clear();
    symbolicCache.set(key, r);
  }
  return r;
}

function computeMayOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const ea = expandBraces(a);
  const eb = expandBraces(b);
  if (ea.length > 1 || eb.length > 1) return ea.some((x) => eb.some((y) => computeMayOverlap(x, y)));
  if (COMPLEX.test(a) || COMPLEX.test(b)) return literalPrefixesCompatible(a, b);
  const sa = a.split('/');
  const sb = b.split('/');
  let i = 0;
  while (i < sa.length && i < sb.length && sa[i] !== '**' && sb[i] !== '**') {
    if (!segmentsMayMatch(sa[i], sb[i])) return false;
    i++;
  }
  const starA = sa.includes('**');
  const starB = sb.includes('**');
  if (!starA && !starB) return sa.length === sb.length;
  // One side ended (it has no `**`, so it has exactly that depth): the other may only have `**` left.
  if (i === sa.length) return sb.slice(i).every((s) => s === '**');
  if (i === sb.length) return sa.slice(i).every((s) => s === '**');
  let j = 0;
  while (j < sa.length - i && j < sb.length - i) {
    const x = sa[sa.length - 1 - j];
    const y = sb[sb.length - 1 - j];
    if (x === '**' || y === '**') break;
    if (!segmentsMayMatch(x, y)) return false;
    j++;
  }
  return true;
}

/** `{a,b}/x` → [`a/x`, `b/x`] for simple comma lists (at most 64 results); anything else is left as is. */
export function expandBraces(glob: string): string[] {
  const m = /\{([^{}]*)\}/.exec(glob);
  if (!m || !m[1].includes(',') || glob.includes('\\')) return [glob];
  const out: string[] = [];
  for (const alt of m[1].split(',')) {
    for (const rest of expandBraces(glob.slice(0, m.index) + alt + glob.slice(m.index + m[0].length))) {
      out.push(rest);
      if (out.length > 64) return [glob];
    }
  }
  return out;
}

function segmentsMayMatch(x: string, y: string): boolean {
  const mx = SEGMENT_MAGIC.test(x);
  const my = SEGMENT_MAGIC.test(y);
  if (!mx && !my) return x === y;
  if (!mx) return matcher(y)(x);
  if (!my) return matcher(x)(y);
  const px = literalHead(x);
  const py = literalHead(y);
  if (!px.startsWith(py) && !py.startsWith(px)) return false;
  const tx = literalTail(x);
  const ty = literalTail(y);
  return tx.endsWith(ty) || ty.endsWith(tx);
}

function literalHead(s: string): string {
  const m = s.search(/[*?[\]{}()!+@\\]/);
  return m < 0 ? s : s.slice(0, m);
}

function literalTail(s: string): string {
  let k = s.length;
  while (k > 0 && !/[*?[\]{}()!+@\\]/.test(s[k - 1])) k--;
  return s.slice(k);
}

function literalPrefixesCompatible(a: string, b: string): boolean {
  const pa = a.startsWith('!') ? '' : literalHead(a);
  const pb = b.startsWith('!') ? '' : literalHead(b);
  return pa.startsWith(pb) || pb.startsWith(pa);
}
