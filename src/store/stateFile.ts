// state.json's format: the LeaseTableState JSON with a trailing integrity seal,
//   {...,"edits":[...],"seal":"<sha256 of the same JSON without the seal>"}
// A sealed file is byte-for-byte what a Lockstep transaction wrote, so reading it needs only
// JSON.parse; the full zod validation (tens of ms on a table with thousands of recorded edits, paid
// by every hook call) runs only for unsealed or altered files. zod strips the unknown `seal` key.
import { createHash } from 'node:crypto';
import { LeaseTableState } from '../core/model';
import { StoreCorruptError, DOCTOR_HINT } from './storeErrors';

const SEAL = /,"seal":"([0-9a-f]{64})"\}\s*$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The file content for `state`; `body` is the unsealed JSON (what a later read returns as `body`). */
export function sealState(state: LeaseTableState): { content: string; body: string } {
  const body = JSON.stringify(state);
  return { content: `${body.slice(0, -1)},"seal":"${sha256(body)}"}`, body };
}

/**
 * Parses state.json text. Returns the state and its unsealed JSON `body`; throws a one-line
 * StoreCorruptError naming the problem and `lockstep doctor`.
 */
export function parseStateFile(text: string, file: string): { state: LeaseTableState; body: string } {
  const m = SEAL.exec(text);
  if (m) {
    const body = `${text.slice(0, m.index)}}`;
    if (sha256(body) === m[1]) return { state: JSON.parse(body) as LeaseTableState, body };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoreCorruptError(`${file} is not valid JSON; ${DOCTOR_HINT} to set it aside and rebuild from the journal`);
  }
  const r = LeaseTableState.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new StoreCorruptError(
      `${file} is invalid (${issue.path.join('.') || '(root)'}: ${issue.message}); ${DOCTOR_HINT} to set it aside and rebuild from the journal`,
    );
  }
  return { state: r.data, body: JSON.stringify(r.data) };
}
