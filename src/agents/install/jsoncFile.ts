// A JSON (or JSON-with-comments) settings file edited in place: jsonc-parser's syntax tree locates
// each change, which is written as the smallest text edit, so the user's comments, key order and
// formatting outside what Lockstep changes stay byte for byte (and uninstall gives them back). A symlinked settings file (dotfiles managed elsewhere) is written through: the
// link stays, its target gets the new text. A file that does not parse is refused with one line and
// left untouched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import { HookInstallError } from './installError';

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface JsoncDoc {
  /** The path the agent reads (may be a symlink). */
  file: string;
  /** The regular file that holds the text (the symlink's final target, or `file`). */
  target: string;
  exists: boolean;
  /** The text as read (unchanged by edits). */
  original: string;
  /** The text with the edits made so far. */
  text: string;
}

/** Follows symlinks to the file that holds the text; a dangling link names the file to create. */
export function resolveWriteTarget(file: string): string {
  let current = file;
  for (let i = 0; i < 40; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(current);
    } catch {
      return current;
    }
    if (!st.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  throw new HookInstallError(`${file}: too many levels of symbolic links; nothing was changed`);
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** The parsed value of `text`; throws a one-line HookInstallError naming `file` when it is not JSON(C). */
export function parseJsonc(file: string, text: string): unknown {
  if (text.trim() === '') return {};
  const errors: ParseError[] = [];
  const data = parse(text, errors, { disallowComments: false, allowTrailingComma: false, allowEmptyContent: true });
  if (errors.length) {
    const e = errors[0]!;
    throw new HookInstallError(`${file}: not valid JSON (${printParseErrorCode(e.error)} at ${lineCol(text, e.offset)}); fix it by hand, nothing was changed`);
  }
  return data;
}

export function loadJsonc(file: string): { doc: JsoncDoc; data: Json } {
  const target = resolveWriteTarget(file);
  let text: string;
  let exists = true;
  try {
    text = fs.readFileSync(target, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new HookInstallError(`${file}: cannot read (${(e as Error).message.split('\n')[0]}); nothing was changed`);
    text = '';
    exists = false;
  }
  const data = parseJsonc(file, text);
  if (!isObj(data)) throw new HookInstallError(`${file}: must hold a JSON object; nothing was changed`);
  return { doc: { file, target, exists, original: text, text }, data };
}

interface Style {
  unit: string;
  eol: string;
}

function styleOf(text: string): Style {
  const m = /^([ \t]+)["}\]{[]/m.exec(text);
  return { unit: m?.[1] ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** The leading whitespace of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** `value` as JSON in the file's style, its continuation lines indented under `indent`. */
function render(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit).split('\n').join(style.eol + indent);
}

/**
 * Sets the value at `at` (creating missing parents), or with `undefined` removes it; `insert` inserts
 * into an array before that index. Only the characters of the change are written: the user's
 * neighbouring lines, comments and layout are never reflowed.
 */
export function edit(doc: JsoncDoc, at: JSONPath, value: unknown, insert = false): void {
  if (value === undefined) return remove(doc, at);
  if (doc.text.trim() === '') doc.text = '{}';
  const style = styleOf(doc.original || doc.text);
  const root = parseTree(doc.text)!;
  const existing = at.length ? findNodeAtLocation(root, at) : root;
  if (existing && !insert) {
    const text = render(value, lineIndent(doc.text, existing.offset), style);
    doc.text = doc.text.slice(0, existing.offset) + text + doc.text.slice(existing.offset + existing.length);
    return;
  }
  const parentPath = at.slice(0, -1);
  const key = at[at.length - 1]!;
  const parent: Node | undefined = parentPath.length ? findNodeAtLocation(root, parentPath) : root;
  if (!parent) return edit(doc, parentPath, typeof key === 'number' ? [value] : { [key]: value });
  const items = parent.children ?? [];
  const first = items[0];
  // Items on their own lines: align with the first; else one unit deeper than the container's line.
  const indent = first && doc.text.lastIndexOf('\n', first.offset) > parent.offset ? lineIndent(doc.text, first.offset) : lineIndent(doc.text, parent.offset) + style.unit;
  const item = parent.type === 'object' ? `${JSON.stringify(String(key))}: ${render(value, indent, style)}` : render(value, indent, style);
  const before = typeof key === 'number' && parent.type === 'array' ? items[key] : undefined;
  if (before) {
    doc.text = `${doc.text.slice(0, before.offset)}${item},${style.eol}${indent}${doc.text.slice(before.offset)}`;
  } else if (items.length) {
    const last = items[items.length - 1]!;
    const at2 = last.offset + last.length;
    doc.text = `${doc.text.slice(0, at2)},${style.eol}${indent}${item}${doc.text.slice(at2)}`;
  } else {
    // An empty container: its inside becomes the one item.
    const close = parent.offset + parent.length - 1;
    doc.text = `${doc.text.slice(0, parent.offset + 1)}${style.eol}${indent}${item}${style.eol}${lineIndent(doc.text, parent.offset)}${doc.text.slice(close)}`;
  }
}

/**
 * Removes the array element or object property at `at` with the separator before it (or after it,
 * for a first one), touching no other character: what an insertion added, a removal takes away, so
 * install + uninstall gives the user's bytes back. (jsonc-parser's own removal reflows neighbours.)
 */
function remove(doc: JsoncDoc, at: JSONPath): void {
  const root = parseTree(doc.text);
  const node = root && findNodeAtLocation(root, at);
  if (!node) return;
  const target = node.parent?.type === 'property' ? node.parent : node;
  const container = target.parent;
  if (!container?.children) return;
  const siblings = container.children;
  const i = siblings.indexOf(target);
  let start: number;
  let end: number;
  if (i > 0) {
    const prev = siblings[i - 1]!;
    start = prev.offset + prev.length;
    end = target.offset + target.length;
  } else if (siblings.length > 1) {
    start = target.offset;
    end = siblings[1]!.offset;
  } else {
    start = container.offset + 1;
    end = container.offset + container.length - 1;
  }
  doc.text = doc.text.slice(0, start) + doc.text.slice(end);
}

/** Writes the edited text (atomically, through symlinks, keeping the file's mode); false when nothing changed. */
export function saveJsonc(doc: JsoncDoc): boolean {
  let text = doc.text;
  if (!doc.exists && !text.endsWith('\n')) text += '\n';
  if (doc.exists && text === doc.original) return false;
  writeAtomic(doc.target, text, doc.exists ? fs.statSync(doc.target).mode & 0o7777 : undefined);
  return true;
}

export function writeAtomic(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.lockstep-${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
