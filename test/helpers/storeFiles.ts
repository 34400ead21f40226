// The embedded store's files as tests look at them: their bytes (to prove nothing changed), the
// committed lease table, and damage as a crash or a bad disk leaves it.
import * as fs from 'node:fs';
import type { LeaseTableState } from '../../src/core/model';
import { readNewestSlot } from '../../src/store/stateFile';
import { storePaths } from '../../src/store/storePaths';

/** Both lease-table slot files and the journal, byte for byte (absent files as empty). */
export function storeFileBytes(commonDir: string): Buffer[] {
  const p = storePaths(commonDir);
  return [...p.slots, p.journal].map((f) => (fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0)));
}

/** The newest committed lease table (what every reader sees). */
export function committedTable(commonDir: string): LeaseTableState {
  const read = readNewestSlot(storePaths(commonDir));
  if (!read) throw new Error(`no lease table in ${storePaths(commonDir).dir}`);
  return read.state;
}

/** Cuts both slot files in half: no intact commit is left. */
export function tearLeaseTable(commonDir: string): void {
  for (const f of storePaths(commonDir).slots) {
    if (fs.existsSync(f)) fs.writeFileSync(f, fs.readFileSync(f).subarray(0, Math.floor(fs.statSync(f).size / 2)));
  }
}
