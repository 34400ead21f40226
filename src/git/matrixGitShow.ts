// A file's content in a revision, for the read-only diff documents the extension opens
// (`lockstep-git:` URIs). Only branches and full commit ids are read; the path is a repository key.
import { runGit } from './gitRunner';

/** What `gitShow` reads (the matrix protocol's GitShowResult: protocol/matrixMethods.ts checks it at the boundary). */
export interface GitShowResult {
  /** The file exists in that revision. */
  exists: boolean;
  binary: boolean;
  /** Its size in bytes. */
  size: number;
  /** UTF-8 text ('' when absent or binary; cut at 5 MB). */
  text: string;
}

/** Larger files are reported by size only. */
export const SHOW_LIMIT_BYTES = 5 * 1024 * 1024;

export class GitShowError extends Error {
  override readonly name = 'GitShowError';
}

/** Resolves `rev` (a branch under refs/heads/, or a full commit id) to a commit, or throws a one-line GitShowError. */
async function commitOf(repoDir: string, rev: string): Promise<string> {
  const candidates = /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(rev) ? [rev] : [`refs/heads/${rev}`];
  for (const c of candidates) {
    const r = await runGit(['rev-parse', '-q', '--verify', '--end-of-options', `${c}^{commit}`], { cwd: repoDir, okExitCodes: [1, 128] });
    if (r.exitCode === 0) return r.stdout.trim();
  }
  throw new GitShowError(`rev: '${rev}' is neither a branch nor a commit of this repository`);
}

export async function gitShow(repoDir: string, rev: string, path: string): Promise<GitShowResult> {
  const commit = await commitOf(repoDir, rev);
  const object = `${commit}:${path}`;
  const info = await runGit(['cat-file', '--batch-check=%(objecttype) %(objectsize)'], { cwd: repoDir, input: `${object}\n` });
  const m = /^(\w+) (\d+)$/m.exec(info.stdout);
  if (!m || m[1] !== 'blob') return { exists: false, binary: false, size: 0, text: '' };
  const size = Number(m[2]);
  if (size > SHOW_LIMIT_BYTES) return { exists: true, binary: false, size, text: '' };
  const out = await runGit(['cat-file', 'blob', object], { cwd: repoDir });
  // git's own heuristic: a NUL byte in the first 8000 bytes means binary.
  const binary = out.stdout.slice(0, 8000).includes('\0');
  return { exists: true, binary, size, text: binary ? '' : out.stdout };
}
