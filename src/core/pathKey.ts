// Logical keys: repo-relative, POSIX separators, NFC. Lexical validation only (no I/O); the symlink
// check needs the file system and lives in repoPaths/repoLocator.ts.
import * as path from 'node:path';

export class KeyError extends Error {
  override readonly name = 'KeyError';
}

/**
 * True when `rel` (a path.relative result) climbs out of its base: `..` or `../x`. A name that only
 * begins with two dots (`..env`) stays inside.
 */
export function climbsOut(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || rel.startsWith('../');
}

/** Validates a repo-relative path and returns its canonical key, or throws a one-line KeyError. */
export function toKey(relative: string): string {
  if (typeof relative !== 'string' || relative.length === 0) throw new KeyError('empty path');
  if (relative.includes('\0')) throw new KeyError('path contains a NUL byte');
  const posix = relative.replace(/\\/g, '/').normalize('NFC');
  if (posix.startsWith('/') || /^[A-Za-z]:\//.test(posix)) throw new KeyError(`${relative}: absolute path where a repository path was expected`);
  const parts: string[] = [];
  for (const part of posix.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new KeyError(`${relative}: escapes the repository`);
      parts.pop();
      continue;
    }
    if (part.toLowerCase() === '.git') throw new KeyError(`${relative}: git internals (.git) are not editable files`);
    parts.push(part);
  }
  if (parts.length === 0) throw new KeyError(`${relative}: names the repository root, not a file`);
  return parts.join('/');
}

/** Key of an absolute path inside `worktreeRoot` (both absolute); throws if it lies outside. */
export function keyFromAbsolute(absolute: string, worktreeRoot: string): string {
  if (absolute.includes('\0')) throw new KeyError('path contains a NUL byte');
  const rel = path.relative(worktreeRoot, path.resolve(worktreeRoot, absolute));
  if (rel === '' ) throw new KeyError(`${absolute}: names the repository root, not a file`);
  if (climbsOut(rel) || path.isAbsolute(rel)) throw new KeyError(`${absolute}: outside the repository (${worktreeRoot})`);
  return toKey(rel);
}
