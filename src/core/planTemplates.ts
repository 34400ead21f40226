// Starting points for `.lockstep/plan.yaml`, offered by "Lockstep: Create a Plan". Each is a complete,
// valid plan (a unit test validates them) with comments that say what to change. Pure text builders.

export const PLAN_TEMPLATE_IDS = ['folders', 'investigate-fix', 'blank'] as const;

export interface PlanTemplate {
  id: (typeof PLAN_TEMPLATE_IDS)[number];
  label: string;
  detail: string;
  /** The plan's text, given the repository's top-level source folders (e.g. ['src/api', 'src/ui']). */
  text(folders: readonly string[], target: string): string;
}

const HEADER = (target: string) => `# Lockstep plan. Phases run one after another (a phase opens when every write task of the
# earlier phases has landed and every read-only task has finished); the tasks of a phase run in
# parallel when their scopes do not overlap, each writer in its own worktree on branch lockstep/<id>.
target: ${target}
maxParallel: 3
# verify: npm test        # checked on every landing candidate before ${target} moves
`;

function yamlList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** Folder → a task id that the plan accepts (lower-case letters, digits, . _ -). */
function idOf(folder: string, taken: Set<string>): string {
  const base = (folder.split('/').pop() ?? 'part').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 40) || 'part';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

export const PLAN_TEMPLATES: readonly PlanTemplate[] = [
  {
    id: 'folders',
    label: 'Feature split by folder',
    detail: 'One writer task per source folder, all in phase 1 (scopes do not overlap, so they run in parallel), then an integration task.',
    text(folders, target) {
      const parts = folders.length > 0 ? folders.slice(0, 6) : ['src'];
      const taken = new Set<string>(['integrate']);
      const ids = parts.map((f) => idOf(f, taken));
      const tasks = parts.map((f, i) => {
        const id = ids[i]!;
        return `  - id: ${id}\n    title: Change ${f}\n    agent: claude\n    phase: 1\n    scope: ${yamlList([`${f}/**`])}\n    prompt: Describe the part of the feature that lives in ${f}/.\n`;
      });
      return `${HEADER(target)}tasks:\n${tasks.join('')}  - id: integrate\n    title: Wire the parts together\n    agent: claude\n    phase: 2\n    dependsOn: ${yamlList(ids)}\n    scope: ${yamlList(parts.map((f) => `${f}/**`))}\n    prompt: Connect the parts and update the tests.\n`;
    },
  },
  {
    id: 'investigate-fix',
    label: 'Investigate, then fix',
    detail: 'Phase 1: read-only investigators (no worktree, every edit denied). Phase 2: one writer fixes what they found.',
    text(folders, target) {
      const scope = folders.length > 0 ? folders.slice(0, 6).map((f) => `${f}/**`) : ['src/**'];
      return `${HEADER(target)}tasks:
  - id: reproduce
    title: Reproduce the bug
    agent: claude
    readOnly: true
    phase: 1
    prompt: Find the smallest way to reproduce the bug and note it with lockstep note.
  - id: locate
    title: Find the cause
    agent: codex
    readOnly: true
    phase: 1
    prompt: Read the code paths involved and note the likely cause with lockstep note.
  - id: fix
    title: Fix it
    agent: claude
    phase: 2
    dependsOn: [reproduce, locate]
    scope: ${yamlList(scope)}
    prompt: Read the decision log (lockstep log), fix the cause and add a regression test.
`;
    },
  },
  {
    id: 'blank',
    label: 'Empty plan',
    detail: 'Only the settings; add tasks with Lockstep: Add Task… or by editing the file.',
    text(_folders, target) {
      return `${HEADER(target)}tasks: []\n`;
    },
  },
];
