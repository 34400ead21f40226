// Files named by an apply_patch envelope (Codex, VS Code's apply_patch tool):
//   *** Begin Patch / *** Add File: p / *** Update File: p [*** Move to: q] / *** Delete File: p / *** End Patch
// Headers start at column 0; every content line of a hunk starts with ' ', '+' or '-', so a line
// beginning with "*** " is always a header and never file content.

export type PatchOpKind = 'add' | 'update' | 'delete' | 'move';

export interface PatchFileOp {
  op: PatchOpKind;
  /** As written in the patch: absolute, or relative to the agent's cwd. */
  path: string;
}

const HEADER = /^\*\*\* (Add File|Update File|Delete File|Move to): (.*)$/;
const KIND: Record<string, PatchOpKind> = { 'Add File': 'add', 'Update File': 'update', 'Delete File': 'delete', 'Move to': 'move' };

/** Every file operation in the patch text, in order (an empty list when there is none). */
export function parsePatchOps(text: string): PatchFileOp[] {
  const ops: PatchFileOp[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const m = HEADER.exec(line);
    if (!m) continue;
    const p = m[2].trim();
    if (p) ops.push({ op: KIND[m[1]], path: p });
  }
  return ops;
}

/** The distinct paths the patch writes (sources and move targets), in the order it names them. */
export function patchPaths(text: string): string[] {
  return [...new Set(parsePatchOps(text).map((o) => o.path))];
}

/** True when the text holds an apply_patch envelope (also inside a shell heredoc). */
export function looksLikePatch(text: string): boolean {
  return /^\*\*\* Begin Patch\r?$/m.test(text) || parsePatchOps(text).length > 0;
}
