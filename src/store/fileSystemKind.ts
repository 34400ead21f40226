// The store relies on O_EXCL creation and atomic rename, which network and FUSE file systems do not
// guarantee. statfs tells which file system the store lives on.
import * as fs from 'node:fs';

/** statfs f_type magic numbers of file systems the store refuses. */
const REFUSED: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0xff534d42, 'CIFS/SMB'],
  [0xfe534d42, 'SMB2'],
  [0x517b, 'SMB'],
  [0x65735546, 'FUSE'],
]);

/** Name of the network/FUSE file system with this statfs type, or undefined when it is safe. */
export function refusedFileSystem(type: number): string | undefined {
  return REFUSED.get(type >>> 0);
}

/** One-line reason the store cannot live in `dir` given its statfs type, or undefined. */
export function fileSystemRefusal(type: number, dir: string): string | undefined {
  const name = refusedFileSystem(type);
  if (!name) return undefined;
  return (
    `the Lockstep store ${dir} is on a ${name} file system (statfs type 0x${(type >>> 0).toString(16)}), ` +
    `where exclusive file creation and atomic rename are not guaranteed; keep the repository on a local disk`
  );
}

export function statfsType(dir: string): number {
  return fs.statfsSync(dir).type;
}
