// Property: for random sets of 2-5 branches with overlapping edits on a few files, an atomic landing
// either leaves the target at the old commit (and names the first conflicting task), or moves it to a
// commit whose tree equals merging all branches in order (checked with plain `git merge` in a scratch
// worktree) and that has every branch as an ancestor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeTempRepo } from '../helpers/tempRepo';
import { land } from '../../src/git/landing';
import { commitOnBranch, gitIn, isAncestorSync, treeOf } from './fixtures/landingRepo';

const FILES = ['f0.txt', 'f1.txt', 'f2.txt'];
const LINES = 6;
const baseContent = (f: string) => Array.from({ length: LINES }, (_, i) => `${f} line ${i}`).join('\n') + '\n';

type Op = { kind: 'edit'; file: number; line: number; value: number } | { kind: 'delete'; file: number } | { kind: 'add'; value: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), file: fc.nat(FILES.length - 1), line: fc.nat(LINES - 1), value: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), file: fc.nat(FILES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), value: fc.nat(2) }) },
);
const branchesArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 });

function applyOps(ops: Op[]): Record<string, string | null> {
  const files: Record<string, string[] | null> = Object.fromEntries(FILES.map((f) => [f, baseContent(f).split('\n')]));
  const out: Record<string, string | null> = {};
  for (const op of ops) {
    if (op.kind === 'edit') {
      const lines = files[FILES[op.file]] ?? baseContent(FILES[op.file]).split('\n');
      lines[op.line] = `changed to ${'xyz'[op.value]}`;
      files[FILES[op.file]] = lines;
      out[FILES[op.file]] = lines.join('\n');
    } else if (op.kind === 'delete') {
      files[FILES[op.file]] = null;
      out[FILES[op.file]] = null;
    } else {
      out['added.txt'] = `added ${'xyz'[op.value]}\n`;
    }
  }
  return out;
}

test('atomic landing result is the old target or the complete in-order merge of all branches', async () => {
  const repo = makeTempRepo({ files: Object.fromEntries(FILES.map((f) => [f, baseContent(f)])) });
  const scratch = path.join(path.dirname(repo.root), 'scratch');
  try {
    const base = repo.git('rev-parse', 'HEAD');
    repo.git('checkout', '-q', '--detach'); // main is not checked out: the property is about refs and trees
    repo.git('worktree', 'add', '-q', '--detach', scratch, base);
    let run = 0;
    let landedRuns = 0;
    let conflictRuns = 0;
    await fc.assert(
      fc.asyncProperty(branchesArb, async (branches) => {
        run++;
        gitIn(repo.root, ['update-ref', 'refs/heads/main', base]);
        const tasks = branches.map((ops, i) => {
          const branch = `p${run}/b${i}`;
          commitOnBranch(repo, branch, base, applyOps(ops), `branch ${i}`);
          return { id: `b${i}`, branch };
        });

        // Oracle: plain `git merge --no-ff` of each branch in order, in a scratch worktree.
        gitIn(scratch, ['checkout', '-q', '--detach', base]);
        let firstConflict: string | undefined;
        for (const t of tasks) {
          try {
            gitIn(scratch, ['merge', '-q', '--no-ff', '--no-edit', t.branch]);
          } catch {
            firstConflict = t.id;
            gitIn(scratch, ['merge', '--abort']);
            break;
          }
        }

        const result = await land({ repoDir: repo.root, target: 'main', tasks, atomic: true });
        const now = gitIn(repo.root, ['rev-parse', 'main']);
        if (firstConflict) {
          conflictRuns++;
          assert.equal(result.ok, false);
          assert.equal(now, base, 'target untouched');
          assert.equal(result.culprit?.task, firstConflict);
          assert.equal(result.culprit?.kind, 'conflict');
        } else {
          landedRuns++;
          assert.equal(result.ok, true);
          assert.equal(now, result.after);
          assert.equal(treeOf(repo, now), gitIn(scratch, ['rev-parse', 'HEAD^{tree}']), 'same tree as merging every branch');
          for (const t of tasks) assert.ok(isAncestorSync(repo, t.branch, now), `${t.branch} is an ancestor`);
          assert.ok(isAncestorSync(repo, base, now));
        }
      }),
      { numRuns: 10, seed: Number(process.env.LOCKSTEP_PROPERTY_SEED ?? 20240607) },
    );
    // The generator must exercise both outcomes.
    assert.ok(landedRuns > 0 && conflictRuns > 0, `landed ${landedRuns}, conflicted ${conflictRuns}`);
  } finally {
    repo.cleanup();
  }
});
