// The plan format as a JSON Schema (`lockstep plan schema`), generated from the zod schema that parses
// plans, so editors (yaml-language-server) check the same fields, types and defaults. It describes
// what may be written (the input side: commands as a string or a list, fields with defaults optional);
// the rules that look at the whole plan (unique ids, known dependencies, cycles) only `lockstep plan
// validate` checks.
import * as z from './zodClassic';
import { PlanShape } from './plan';

export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlanShape, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // zod 4 bounds every integer by the safe range, which says nothing to a plan's author.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      // A default over commands (transformed) is still what an absent field means.
      const def = zodSchema._zod.def as { type: string; defaultValue?: unknown };
      if (def.type === 'default' && jsonSchema.default === undefined) jsonSchema.default = def.defaultValue;
    },
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'Lockstep plan (.lockstep/plan.yaml)',
    description: 'Tasks for the Lockstep scheduler: phases, dependencies, scopes and agents. See docs/plan.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
