// Plan file text ⇄ validated Plan. Errors name the file, line and field
// (`.lockstep/plan.yaml:14: tasks[1].scope: a write task needs at least one glob`).
// Editing goes through the yaml Document API and then keeps every untouched line byte-for-byte,
// so comments, order and alignment of the rest of the file survive.
import { Document, LineCounter, Pair, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import * as z from './zodClassic';
import {
  Plan,
  PlanShape,
  TASK_FIELD_ORDER,
  TaskSpec,
  planRuleIssues,
  resolveWorktreesRoot,
  type TaskSpecInput,
} from './plan';

export const DEFAULT_PLAN_FILE = '.lockstep/plan.yaml';

export interface PlanIssue {
  file: string;
  /** 1-based; 0 when the problem has no place in the file. */
  line: number;
  /** Field path as written in messages: `tasks[1].scope`, `maxParallel`, `` for the whole file. */
  field: string;
  message: string;
}

export function formatIssue(i: PlanIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}` : i.file;
  return i.field ? `${where}: ${i.field}: ${i.message}` : `${where}: ${i.message}`;
}

/** A plan that cannot be read or an edit that would make it invalid. `message` is the first problem, one line. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly issues: PlanIssue[]) {
    super(
      issues.length === 0
        ? 'invalid plan'
        : formatIssue(issues[0]) + (issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''),
    );
  }
  /** Every problem, one per line. */
  get details(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}

export interface ParseOptions {
  /** Shown in messages; default `.lockstep/plan.yaml`. */
  file?: string;
  /** When given, `worktreesRoot` is also checked to lie outside this folder. */
  repoRoot?: string;
}

export type PlanParseResult = { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] };

export function formatField(p: readonly (string | number)[]): string {
  let s = '';
  for (const seg of p) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

/** Parses and validates plan text; never throws. */
export function tryParsePlan(text: string, opts: ParseOptions = {}): PlanParseResult {
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const issue = (p: (string | number)[], message: string): PlanIssue => ({
    file,
    line: lineOf(doc, lineCounter, p),
    field: formatField(p),
    message,
  });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        field: '',
        message: `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    };
  }
  const raw: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [issue([], 'a plan is a mapping with target, maxParallel, tasks, …')] };
  }
  const shape = PlanShape.safeParse(raw);
  if (!shape.success) return { ok: false, issues: zodIssues(shape.error, issue) };
  const rules = planRuleIssues(shape.data);
  if (opts.repoRoot !== undefined) {
    const wt = resolveWorktreesRoot(shape.data.worktreesRoot, opts.repoRoot);
    if (!wt.ok) rules.push({ path: ['worktreesRoot'], message: wt.message });
  }
  if (rules.length > 0) {
    const issues = rules.map((r) => issue(r.path, r.message));
    issues.sort((a, b) => a.line - b.line);
    return { ok: false, issues };
  }
  return { ok: true, plan: shape.data as Plan };
}

/** Parses and validates plan text; throws PlanError. */
export function parsePlan(text: string, opts: ParseOptions = {}): Plan {
  const r = tryParsePlan(text, opts);
  if (!r.ok) throw new PlanError(r.issues);
  return r.plan;
}

function zodIssues(error: z.ZodError, issue: (p: (string | number)[], m: string) => PlanIssue): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const zi of error.issues) {
    const at = zi.path as (string | number)[];
    if (zi.code === 'unrecognized_keys') {
      for (const key of zi.keys) {
        const known = knownKeysAt(at);
        const near = known.find((k) => closeEnough(k, key));
        out.push(issue([...at, key], `unknown field${near ? ` (did you mean ${near}?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`));
      }
    } else if (zi.code === 'invalid_union') {
      // Commands: say what is accepted rather than two nested failures.
      const inner = zi.errors.flat().find((x) => x.code === 'custom');
      out.push(issue(at, inner?.message ?? 'expected a command: a string or an array of arguments'));
    } else {
      out.push(issue(at, zi.message));
    }
  }
  out.sort((a, b) => a.line - b.line);
  return out;
}

function knownKeysAt(p: readonly (string | number)[]): string[] {
  if (p.length === 0) return Object.keys(PlanShape.shape);
  if (p[0] === 'tasks' && p.length === 2) return Object.keys(TaskSpec.shape);
  return [];
}

/** Same letters ignoring case, or one edit apart. */
function closeEnough(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(i + 1) === y.slice(i + 1) || x.slice(i + 1) === y.slice(i) || x.slice(i) === y.slice(i + 1);
}

/** 1-based line of the deepest node on `p` that exists (a missing field points at its parent). */
function lineOf(doc: Document, lc: LineCounter, p: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let pos = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const seg of p) {
    if (isMap(node)) {
      const pair = (node as YAMLMap).items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      pos = (pair.key as Node).range?.[0] ?? pos;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = (node as YAMLSeq).items[seg] as Node | undefined;
      if (!item) break;
      pos = item.range?.[0] ?? pos;
      node = item;
    } else break;
  }
  return lc.linePos(pos).line;
}

// ---------------------------------------------------------------------------------------------
// Editing

function loadForEdit(text: string, file: string): Document {
  const r = tryParsePlan(text, { file });
  if (!r.ok) throw new PlanError(r.issues);
  return parseDocument(text);
}

function tasksSeq(doc: Document): YAMLSeq {
  let seq = doc.get('tasks', true);
  if (!isSeq(seq)) {
    seq = doc.createNode([]);
    doc.set('tasks', seq);
  }
  return seq as YAMLSeq;
}

function taskIndex(doc: Document, id: string): number {
  const seq = tasksSeq(doc);
  return seq.items.findIndex((it) => isMap(it) && (it as YAMLMap).get('id') === id);
}

function taskNode(doc: Document, spec: Record<string, unknown>): Node {
  const ordered: Record<string, unknown> = {};
  for (const k of TASK_FIELD_ORDER) if (spec[k] !== undefined) ordered[k] = spec[k];
  for (const [k, v] of Object.entries(spec)) if (!(k in ordered) && v !== undefined) ordered[k] = v;
  const node = doc.createNode(ordered) as YAMLMap;
  for (const k of ['scope', 'dependsOn']) {
    const arr = node.get(k, true);
    if (isSeq(arr)) arr.flow = true;
  }
  return node;
}

/** Serialises `doc`, then keeps every line of `original` that the edit did not touch. */
function finish(original: string, before: Document, after: Document, file: string): string {
  const indentSeq = !/^[A-Za-z_][\w-]*:\s*(#.*)?\n-\s/m.test(original);
  const opts = { lineWidth: 0, flowCollectionPadding: false, indentSeq } as const;
  const text = preserveUntouchedLines(original, before.toString(opts), after.toString(opts));
  const r = tryParsePlan(text, { file });
  if (!r.ok) throw new PlanError(r.issues);
  return text;
}

/**
 * `base` and `edited` are two serialisations of the same document before and after an edit. Where
 * `base` has the same number of lines as `original`, line i of one corresponds to line i of the other,
 * so the edit is applied as a line diff to `original`: untouched lines keep their exact text
 * (comment alignment, quoting). Otherwise the serialised edit is returned (comments still kept).
 */
export function preserveUntouchedLines(original: string, base: string, edited: string): string {
  const o = original.split('\n');
  const b = base.split('\n');
  const e = edited.split('\n');
  if (o.length !== b.length) return edited;
  let pre = 0;
  while (pre < b.length && pre < e.length && b[pre] === e[pre]) pre++;
  let suf = 0;
  while (suf < b.length - pre && suf < e.length - pre && b[b.length - 1 - suf] === e[e.length - 1 - suf]) suf++;
  const bm = b.slice(pre, b.length - suf);
  const em = e.slice(pre, e.length - suf);
  const om = o.slice(pre, o.length - suf);
  let middle: string[];
  if (bm.length * em.length > 4_000_000) middle = em;
  else middle = mergeByLcs(om, bm, em);
  return [...o.slice(0, pre), ...middle, ...o.slice(o.length - suf)].join('\n');
}

/** Lines common to bm and em (by LCS) are taken from om (same index as in bm); others from em. */
function mergeByLcs(om: string[], bm: string[], em: string[]): string[] {
  const n = bm.length;
  const m = em.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) dp[i][j] = bm[i] === em[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (bm[i] === em[j]) {
      out.push(om[i]);
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) i++;
    else out.push(em[j++]);
  }
  while (j < m) out.push(em[j++]);
  return out;
}

/** Replaces a field in place, or inserts a new one where TASK_FIELD_ORDER puts it. */
function setField(map: YAMLMap, key: string, node: Node): void {
  if (map.has(key)) {
    map.set(key, node);
    return;
  }
  const order = TASK_FIELD_ORDER as readonly string[];
  const rank = order.indexOf(key);
  let at = map.items.length;
  if (rank >= 0) {
    at = 0;
    map.items.forEach((pair, i) => {
      const r = order.indexOf(isScalar(pair.key) ? String(pair.key.value) : '');
      if (r >= 0 && r < rank) at = i + 1;
    });
  }
  map.items.splice(at, 0, new Pair(key, node));
}

function specError(file: string, prefix: string, error: z.ZodError): PlanError {
  return new PlanError(error.issues.map((i) => ({ file, line: 0, field: formatField([prefix, ...(i.path as (string | number)[])]), message: i.message })));
}

export interface EditOptions {
  file?: string;
}

/** Appends a task (or inserts it after `after`). Throws PlanError if the task or the resulting plan is invalid. */
export function addTask(text: string, task: TaskSpecInput, opts: EditOptions & { after?: string } = {}): string {
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const parsed = TaskSpec.safeParse(task);
  if (!parsed.success) throw specError(file, 'task', parsed.error);
  const before = loadForEdit(text, file);
  const doc = before.clone();
  if (taskIndex(doc, task.id) >= 0) throw new PlanError([{ file, line: 0, field: 'task.id', message: `a task '${task.id}' already exists` }]);
  const seq = tasksSeq(doc);
  const node = taskNode(doc, { ...task });
  if (opts.after !== undefined) {
    const at = taskIndex(doc, opts.after);
    if (at < 0) throw new PlanError([{ file, line: 0, field: 'after', message: `unknown task '${opts.after}'` }]);
    seq.items.splice(at + 1, 0, node);
  } else seq.items.push(node);
  return finish(text, before, doc, file);
}

/**
 * Changes fields of task `id`. A field set to `undefined` in `patch` is removed. Renaming (a new `id`)
 * also renames it in every `dependsOn`. Throws PlanError if the result is invalid.
 */
export function updateTask(text: string, id: string, patch: Partial<TaskSpecInput>, opts: EditOptions = {}): string {
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const before = loadForEdit(text, file);
  const doc = before.clone();
  const at = taskIndex(doc, id);
  if (at < 0) throw new PlanError([{ file, line: 0, field: 'id', message: `unknown task '${id}'` }]);
  const fieldCheck = TaskSpec.partial().safeParse(Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
  if (!fieldCheck.success) throw specError(file, 'patch', fieldCheck.error);
  const map = tasksSeq(doc).items[at] as YAMLMap;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      if (key === 'id' || key === 'title' || key === 'prompt') {
        throw new PlanError([{ file, line: 0, field: `patch.${key}`, message: 'cannot be removed' }]);
      }
      map.delete(key);
      continue;
    }
    const node = doc.createNode(value) as Node;
    const old = map.get(key, true) as Node | undefined;
    if (isSeq(node)) {
      (node as YAMLSeq).flow = isSeq(old) ? Boolean((old as YAMLSeq).flow) : true;
      // keep the quoting style of the old list's items
      const firstOld = isSeq(old) ? (old as YAMLSeq).items[0] : undefined;
      if (isScalar(firstOld) && firstOld.type) {
        for (const it of (node as YAMLSeq).items) if (isScalar(it) && typeof it.value === 'string') it.type = firstOld.type;
      }
    }
    if (old && isScalar(old) && isScalar(node) && typeof old.value === typeof (node as typeof old).value) {
      (node as typeof old).type = old.type; // keep the quoting style
    }
    if (old) {
      (node as Node).comment = old.comment;
    }
    setField(map, key, node);
  }
  if (patch.id !== undefined && patch.id !== id) {
    for (const item of tasksSeq(doc).items) {
      const deps = isMap(item) ? (item as YAMLMap).get('dependsOn', true) : undefined;
      if (!isSeq(deps)) continue;
      for (const d of (deps as YAMLSeq).items) if (isScalar(d) && d.value === id) d.value = patch.id;
    }
  }
  return finish(text, before, doc, file);
}

/** Removes task `id`; refuses while other tasks depend on it (names them). */
export function removeTask(text: string, id: string, opts: EditOptions = {}): string {
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const plan = parsePlan(text, { file });
  const dependants = plan.tasks.filter((t) => t.dependsOn.includes(id)).map((t) => `'${t.id}'`);
  const before = loadForEdit(text, file);
  const doc = before.clone();
  const at = taskIndex(doc, id);
  if (at < 0) throw new PlanError([{ file, line: 0, field: 'id', message: `unknown task '${id}'` }]);
  if (dependants.length > 0) {
    throw new PlanError([
      {
        file,
        line: 0,
        field: 'id',
        message: `cannot remove '${id}': ${dependants.join(', ')} ${dependants.length === 1 ? 'depends' : 'depend'} on it; remove the dependency first`,
      },
    ]);
  }
  tasksSeq(doc).items.splice(at, 1);
  return finish(text, before, doc, file);
}

/** Sets the phase of several tasks at once (tasks not named keep theirs). Throws PlanError on unknown ids or an invalid result. */
export function setPhases(text: string, phases: ReadonlyMap<string, number> | Record<string, number>, opts: EditOptions = {}): string {
  const file = opts.file ?? DEFAULT_PLAN_FILE;
  const before = loadForEdit(text, file);
  const doc = before.clone();
  const entries = phases instanceof Map ? [...phases.entries()] : Object.entries(phases);
  for (const [id, phase] of entries) {
    const at = taskIndex(doc, id);
    if (at < 0) throw new PlanError([{ file, line: 0, field: 'phases', message: `unknown task '${id}'` }]);
    const map = tasksSeq(doc).items[at] as YAMLMap;
    const old = map.get('phase', true) as Node | undefined;
    if (isScalar(old)) old.value = phase;
    else setField(map, 'phase', doc.createNode(phase) as Node);
  }
  return finish(text, before, doc, file);
}
