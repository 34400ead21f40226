// Errors the store reports to people: always one line, always saying what to do.
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** The lease table is unreadable or invalid: transactions refuse until `lockstep doctor` repairs it. */
export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError';
}

export const DOCTOR_HINT = 'run `lockstep doctor`';
