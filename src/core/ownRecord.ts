// Records keyed by what users name (file paths, session and task ids): objects without a prototype,
// so a file called `constructor` or `__proto__`, or a task `constructor`, is a key like any other
// (on a plain object `leases['constructor']` is Object's constructor, and `['__proto__'] = x` sets
// the prototype). zod's z.record drops a `__proto__` key, so such records are parsed here.
import * as z from './zod';

/** An empty record with no prototype. */
export function ownRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The same entries in a record with no prototype (the argument itself when it already has none). */
export function asOwnRecord<T>(record: Record<string, T>): Record<string, T> {
  if (Object.getPrototypeOf(record) === null) return record;
  const out = ownRecord<T>();
  for (const [k, v] of Object.entries(record)) out[k] = v;
  return out;
}

/** z.record for user-named keys: every own key kept (`__proto__` included), values validated, no prototype. */
export function ownRecordSchema<S extends z.core.$ZodType>(value: S) {
  return z.pipe(
    z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'Expected object' }),
    z.transform((v, ctx) => {
      const out = ownRecord<z.output<S>>();
      for (const [k, x] of Object.entries(v)) {
        const r = z.safeParse(value, x);
        if (!r.success) {
          for (const issue of r.error.issues) ctx.issues.push({ ...issue, path: [k, ...issue.path] } as z.core.$ZodRawIssue);
          return z.NEVER;
        }
        out[k] = r.data as z.output<S>;
      }
      return out;
    }),
  );
}
