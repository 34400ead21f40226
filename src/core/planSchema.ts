// The plan format as a JSON Schema (`lockstep plan schema`), generated from the zod schema that parses
// plans, so editors (yaml-language-server) check the same fields, types and defaults. It describes
// what may be written (the input side: commands as a string or a list, fields with defaults optional);
// the rules that look at the whole plan (unique ids, known dependencies, cycles) only `lockstep plan
// validate` checks.
import { zodToJsonSchema } from 'zod-to-json-schema';
import { PlanShape } from './plan';

export function planJsonSchema(): Record<string, unknown> {
  const schema = zodToJsonSchema(PlanShape, { $refStrategy: 'none', effectStrategy: 'input', pipeStrategy: 'input', target: 'jsonSchema7' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'Lockstep plan (.lockstep/plan.yaml)',
    description: 'Tasks for the Lockstep scheduler: phases, dependencies, scopes and agents. See docs/plan.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
