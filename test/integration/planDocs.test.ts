// docs/plan.md documents `.lockstep/plan.yaml` completely and its examples are real: every field of the
// zod schema is in its tables; each complete example (a ```yaml block starting with `# example:`) is
// accepted by `lockstep plan validate` in a real repository and by the JSON Schema `lockstep plan
// schema` prints, which is generated from the same zod schema and lists every field. `lockstep plan
// --help` and the README point at the document.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { PlanShape, TaskSpec } from '../../src/core/plan';

before(() => ensureBuilt());

const DOC = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'plan.md'), 'utf8');

/** The complete example plans of docs/plan.md: ```yaml blocks whose first line is `# example: …`. */
export function planExamples(markdown: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const re = /^```yaml\n# example: (.+)\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) out.push({ name: m[1]!, text: `# example: ${m[1]}\n${m[2]}` });
  return out;
}

function schema(): Record<string, any> {
  const r = runCli(['plan', 'schema'], { cwd: os.tmpdir() }); // needs no repository
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('every field of the plan schema is documented in docs/plan.md, and the JSON Schema lists every one', () => {
  const topLevel = Object.keys(PlanShape.shape);
  const taskFields = Object.keys(TaskSpec.shape);
  for (const f of [...topLevel, ...taskFields]) assert.match(DOC, new RegExp(`^\\| \`${f}\` \\|`, 'm'), `docs/plan.md has a table row for ${f}`);
  const s = schema();
  assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.deepEqual(Object.keys(s.properties).sort(), [...topLevel].sort());
  assert.deepEqual(Object.keys(s.properties.tasks.items.properties).sort(), [...taskFields].sort());
  assert.deepEqual(s.properties.tasks.items.required.sort(), ['id', 'prompt', 'title']);
  assert.equal(s.additionalProperties, false, 'an unknown top-level field is an error');
  assert.equal(s.properties.maxParallel.default, 3);
  assert.equal(s.properties.target.default, 'main');
});

test('the complete examples of docs/plan.md are valid plans: lockstep plan validate and the printed JSON Schema accept them', () => {
  const examples = planExamples(DOC);
  assert.ok(examples.length >= 2, `docs/plan.md has two complete examples (found ${examples.length})`);
  const validate = new Ajv({ allErrors: true }).compile(schema());
  const repo = makeTempRepo({ files: { 'README.md': '# r\n' } });
  try {
    for (const ex of examples) {
      repo.write('.lockstep/plan.yaml', ex.text);
      const r = runCli(['plan', 'validate', '--json'], { cwd: repo.root });
      const body = JSON.parse(r.stdout);
      assert.equal(r.status, 0, `${ex.name}: ${body.issues?.map((i: { text: string }) => i.text).join('\n')}`);
      assert.equal(body.valid, true);
      assert.ok(body.tasks >= 3, `${ex.name} has several tasks`);
      assert.ok(body.phases >= 2, `${ex.name} has several phases`);
      assert.ok(validate(parse(ex.text)), `${ex.name}: ${JSON.stringify(validate.errors)}`);
    }
    // The schema is not a rubber stamp: a misspelt field and a wrong type are refused, as validate does.
    const typo = { tasks: [{ id: 'a', title: 'A', prompt: 'p', scope: ['a'], depends: ['b'] }] };
    assert.equal(validate(typo), false);
    assert.equal(validate({ maxParallel: 'two' }), false);
    repo.write('.lockstep/plan.yaml', 'tasks:\n  - {id: a, title: A, prompt: p, scope: [a], depends: [b]}\n');
    assert.equal(runCli(['plan', 'validate'], { cwd: repo.root }).status, 1);
  } finally {
    repo.cleanup();
  }
});

test('lockstep plan --help and the README point at docs/plan.md', () => {
  const help = runCli(['plan', '--help'], { cwd: os.tmpdir() });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /docs\/plan\.md/);
  assert.match(help.stdout, /schema/);
  assert.match(fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8'), /\]\(docs\/plan\.md\)/);
});
