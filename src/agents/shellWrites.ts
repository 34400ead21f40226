// Which files a shell command line obviously writes, read without running it: redirections
// (`>`, `>>`, `&>`, `2>`, `<>`), `tee`, `sed -i`, `cp`/`mv` destinations (and `mv` sources),
// `rm`, `touch`, `truncate`, and apply_patch envelopes in heredocs. The hook uses it to lease
// those files before an agent's shell tool runs the command.
//
// Conservative by design: a word whose value depends on the shell (variables, command
// substitution, globs, `~`) is never guessed, and syntax this reader does not follow (subshells,
// loops, `if`, functions, process substitution, unclosed quotes) makes the whole command
// "unsure" with no writes. What it cannot read is let through and caught afterwards from git
// status. Pure: no fs (directories are asked through `isDirectory`), cheap to load.
import * as path from 'node:path';
import { parsePatchOps } from './applyPatch';

export interface ShellWrite {
  /** Absolute path of the file written, removed or created. */
  path: string;
  /** What writes it: `>`, `>>`, `tee`, `sed -i`, `cp`, `mv`, `rm`, `touch`, `truncate`, `apply_patch`… */
  via: string;
}

export interface ShellScan {
  writes: ShellWrite[];
  /** Why part (or all) of the command was not read; undefined when every part was understood. */
  unsure?: string;
}

export interface ShellScanOptions {
  /** The directory the command starts in (absolute). */
  cwd: string;
  /** Whether an absolute path is an existing directory (for `cp a dir/`, `rm -r dir`); default: never. */
  isDirectory?: (absPath: string) => boolean;
}

/** Cheap pre-check: a command without any of these cannot write a file by the syntax read here. */
const WRITE_HINT = /[>]|\b(?:tee|sed|cp|mv|rm|touch|truncate|apply_?patch)\b/;

/** The files `command` obviously writes (a script string, or an argv array as some agents send). */
export function scanShellWrites(command: string | readonly string[], opts: ShellScanOptions): ShellScan {
  const scan = new Scan(opts);
  if (typeof command === 'string') scan.script(command, opts.cwd, 0);
  else scan.argv(command, opts.cwd, 0);
  return scan.result();
}

// ---------- tokens ----------

interface Word {
  /** The value with quotes and escapes removed (expansions kept as written). */
  text: string;
  /** Depends on the shell at run time: `$x`, `$(…)`, backquotes, globs, `~`, braces. */
  dynamic: boolean;
  /** Had quotes (so `''` is an empty word, and digits before `>` are no fd). */
  quoted: boolean;
}

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
  body: string;
}

interface Redirect {
  op: string;
  fd?: number;
  target?: Word;
  heredoc?: Heredoc;
}

interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  /** The operator before this command: '' (first), ';', '\n', '&&', '||', '|', '&'. */
  before: string;
  /** The operator after it ('' when last). */
  after: string;
}

/** Syntax this reader does not follow: the whole command is unsure. */
class Unreadable extends Error {}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', 'select', '{', '}', '[[', ']]', 'coproc']);

class Tokenizer {
  private i = 0;
  private readonly commands: SimpleCommand[] = [];
  private cur: SimpleCommand = { words: [], redirects: [], before: '', after: '' };
  private pending: Heredoc[] = [];

  constructor(private readonly s: string) {}

  parse(): SimpleCommand[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ' ' || c === '\t' || c === '\r') {
        this.i++;
      } else if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2;
      } else if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '\n') {
        this.i++;
        this.readHeredocBodies();
        this.end('\n');
      } else if (c === ';') {
        if (s[this.i + 1] === ';' || s[this.i + 1] === '&') throw new Unreadable('case clause');
        this.i++;
        this.end(';');
      } else if (c === '&') {
        if (s[this.i + 1] === '&') {
          this.i += 2;
          this.end('&&');
        } else if (s[this.i + 1] === '>') {
          this.i++;
          this.redirect(undefined, true);
        } else {
          this.i++;
          this.end('&');
        }
      } else if (c === '|') {
        if (s[this.i + 1] === '|') {
          this.i += 2;
          this.end('||');
        } else {
          this.i += s[this.i + 1] === '&' ? 2 : 1;
          this.end('|');
        }
      } else if (c === '(' || c === ')') {
        throw new Unreadable(c === '(' ? 'subshell or function' : "unbalanced ')'");
      } else if (c === '<' || c === '>') {
        this.redirect(undefined, false);
      } else {
        const start = this.i;
        const w = this.word();
        const next = s[this.i];
        if ((next === '<' || next === '>') && !w.quoted && /^[0-9]+$/.test(w.text) && this.i - start === w.text.length) {
          this.redirect(Number(w.text), false);
        } else {
          if (this.cur.words.length === 0 && this.cur.redirects.length === 0 && !w.quoted && RESERVED.has(w.text)) {
            throw new Unreadable(`'${w.text}' compound command`);
          }
          this.cur.words.push(w);
        }
      }
    }
    if (this.pending.length) this.readHeredocBodies();
    this.end('');
    return this.commands.filter((c) => c.words.length > 0 || c.redirects.length > 0);
  }

  private end(op: string): void {
    if (this.cur.words.length === 0 && this.cur.redirects.length === 0) {
      if (op === '\n') return; // blank lines, and `a &&` continued on the next line
      const last = this.commands.length ? this.commands[this.commands.length - 1]!.after : '';
      if (op === '' && !/^(&&|\|\||\|)$/.test(last)) return;
      throw new Unreadable(op === '' ? `command ends with '${last}'` : `'${op}' without a command`);
    }
    this.cur.after = op;
    this.commands.push(this.cur);
    this.cur = { words: [], redirects: [], before: op, after: '' };
  }

  /** A redirection at `this.i` (`<`, `>`, or `&>` when `amp`), `fd` given when digits preceded it. */
  private redirect(fd: number | undefined, amp: boolean): void {
    const s = this.s;
    let op: string;
    if (amp) {
      op = s.startsWith('&>>', this.i - 1) ? '&>>' : '&>';
      this.i += op.length - 1;
    } else {
      const ops = ['<<<', '<<-', '<<', '<>', '<&', '<', '>>', '>|', '>&', '>'];
      op = ops.find((o) => s.startsWith(o, this.i))!;
      this.i += op.length;
    }
    if (s[this.i] === '(' && (op === '<' || op === '>')) throw new Unreadable('process substitution');
    while (s[this.i] === ' ' || s[this.i] === '\t') this.i++;
    if (this.i >= s.length || META.has(s[this.i]!)) throw new Unreadable(`'${op}' without a target`);
    const target = this.word();
    if (op === '<<' || op === '<<-') {
      if (target.dynamic) throw new Unreadable('heredoc delimiter with an expansion');
      const heredoc: Heredoc = { delimiter: target.text, stripTabs: op === '<<-', body: '' };
      this.pending.push(heredoc);
      this.cur.redirects.push({ op, fd, heredoc });
      return;
    }
    this.cur.redirects.push({ op, fd, target });
  }

  /** Reads the bodies of the heredocs opened on the line that just ended. */
  private readHeredocBodies(): void {
    const s = this.s;
    for (const h of this.pending) {
      const lines: string[] = [];
      for (;;) {
        if (this.i >= s.length) break; // bash warns and takes the rest as the body
        const nl = s.indexOf('\n', this.i);
        const raw = s.slice(this.i, nl < 0 ? s.length : nl);
        this.i = nl < 0 ? s.length : nl + 1;
        let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        if (line === h.delimiter) break;
        lines.push(line);
      }
      h.body = lines.length ? `${lines.join('\n')}\n` : '';
    }
    this.pending = [];
  }

  /** One word at `this.i` (the caller made sure it does not start with a metacharacter). */
  private word(): Word {
    const s = this.s;
    let text = '';
    let dynamic = false;
    let quoted = false;
    const start = this.i;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (META.has(c) || c === '\r') break;
      if (c === "'") {
        const close = s.indexOf("'", this.i + 1);
        if (close < 0) throw new Unreadable('unclosed quote');
        text += s.slice(this.i + 1, close);
        this.i = close + 1;
        quoted = true;
      } else if (c === '"') {
        this.i++;
        quoted = true;
        for (;;) {
          if (this.i >= s.length) throw new Unreadable('unclosed quote');
          const d = s[this.i]!;
          if (d === '"') {
            this.i++;
            break;
          }
          if (d === '\\') {
            const e = s[this.i + 1];
            if (e === '\n') this.i += 2;
            else if (e === '$' || e === '`' || e === '"' || e === '\\') {
              text += e;
              this.i += 2;
            } else {
              text += d;
              this.i++;
            }
          } else if (d === '$' || d === '`') {
            const before = this.i;
            if (this.expansion()) dynamic = true;
            text += s.slice(before, this.i);
          } else {
            text += d;
            this.i++;
          }
        }
      } else if (c === '\\') {
        const e = s[this.i + 1];
        if (e === undefined) {
          text += c;
          this.i++;
        } else if (e === '\n') {
          this.i += 2;
        } else {
          text += e;
          this.i += 2;
          quoted = true;
        }
      } else if (c === '$' || c === '`') {
        const before = this.i;
        if (s[this.i + 1] === "'" && c === '$') {
          // ANSI-C quoting: escapes make the value something this reader does not compute.
          let j = this.i + 2;
          let escapes = false;
          while (j < s.length && s[j] !== "'") {
            if (s[j] === '\\') {
              escapes = true;
              j++;
            }
            j++;
          }
          if (j >= s.length) throw new Unreadable('unclosed quote');
          text += s.slice(this.i + 2, j);
          this.i = j + 1;
          quoted = true;
          if (escapes) dynamic = true;
          continue;
        }
        if (this.expansion()) dynamic = true;
        text += s.slice(before, this.i);
      } else {
        if (c === '*' || c === '?' || c === '[' || c === '{' || (c === '~' && this.i === start)) dynamic = true;
        text += c;
        this.i++;
      }
    }
    return { text, dynamic, quoted };
  }

  /** Skips the expansion at `this.i` (`$…` or a backquote); false when the `$` is a plain character. */
  private expansion(): boolean {
    const s = this.s;
    const c = s[this.i]!;
    if (c === '`') {
      let j = this.i + 1;
      while (j < s.length && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new Unreadable('unclosed backquote');
      this.i = j + 1;
      return true;
    }
    const n = s[this.i + 1];
    if (n === '(') {
      this.i = this.skipBalanced(this.i + 2, '(', ')');
      return true;
    }
    if (n === '{') {
      this.i = this.skipBalanced(this.i + 2, '{', '}');
      return true;
    }
    if (n !== undefined && /[A-Za-z0-9_@*#?$!-]/.test(n)) {
      let j = this.i + 2;
      if (/[A-Za-z_]/.test(n)) while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      this.i = j;
      return true;
    }
    this.i++;
    return false;
  }

  /** The index after the `close` that balances an already open `open`, skipping quoted text. */
  private skipBalanced(from: number, open: string, close: string): number {
    const s = this.s;
    let depth = 1;
    let j = from;
    while (j < s.length) {
      const c = s[j]!;
      if (c === '\\') j += 2;
      else if (c === "'") {
        const q = s.indexOf("'", j + 1);
        if (q < 0) break;
        j = q + 1;
      } else if (c === '"') {
        j++;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        j++;
      } else {
        if (c === open) depth++;
        else if (c === close && --depth === 0) return j + 1;
        j++;
      }
    }
    throw new Unreadable(`unclosed '${open}'`);
  }
}

// ---------- commands ----------

/** How a command's options are read: letters without/with an argument, long options likewise. */
interface OptionSpec {
  flags: string;
  withArg: string;
  /** A letter whose argument, if any, is attached (`sed -i.bak`): the rest of the cluster. */
  attachedArg?: string;
  long: readonly string[];
  longWithArg?: readonly string[];
}

interface Options {
  operands: Word[];
  /** Options seen, by letter or long name, with their argument (or true). */
  seen: Map<string, Word | true>;
}

class OptionError extends Error {}

function readOptions(words: readonly Word[], spec: OptionSpec, name: string): Options {
  const operands: Word[] = [];
  const seen = new Map<string, Word | true>();
  let onlyOperands = false;
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (onlyOperands || w.text === '-' || !w.text.startsWith('-') || (w.quoted && w.text === '')) {
      operands.push(w);
      continue;
    }
    if (w.dynamic) throw new OptionError(`${name}: option '${w.text}' depends on the shell`);
    if (w.text === '--') {
      onlyOperands = true;
      continue;
    }
    if (w.text.startsWith('--')) {
      const eq = w.text.indexOf('=');
      const long = eq < 0 ? w.text.slice(2) : w.text.slice(2, eq);
      if (spec.longWithArg?.includes(long)) {
        if (eq >= 0) seen.set(long, { text: w.text.slice(eq + 1), dynamic: false, quoted: true });
        else {
          const arg = words[++k];
          if (!arg) throw new OptionError(`${name}: --${long} without its argument`);
          seen.set(long, arg);
        }
      } else if (spec.long.includes(long)) seen.set(long, eq < 0 ? true : { text: w.text.slice(eq + 1), dynamic: false, quoted: true });
      else throw new OptionError(`${name}: option --${long} not understood`);
      continue;
    }
    const cluster = w.text.slice(1);
    for (let j = 0; j < cluster.length; j++) {
      const letter = cluster[j]!;
      if (spec.attachedArg?.includes(letter)) {
        const rest = cluster.slice(j + 1);
        seen.set(letter, rest ? { text: rest, dynamic: false, quoted: true } : true);
        break;
      }
      if (spec.withArg.includes(letter)) {
        const rest = cluster.slice(j + 1);
        if (rest) seen.set(letter, { text: rest, dynamic: false, quoted: true });
        else {
          const arg = words[++k];
          if (!arg) throw new OptionError(`${name}: -${letter} without its argument`);
          seen.set(letter, arg);
        }
        break;
      }
      if (!spec.flags.includes(letter)) throw new OptionError(`${name}: option -${letter} not understood`);
      seen.set(letter, true);
    }
  }
  return { operands, seen };
}

const TEE: OptionSpec = { flags: 'aip', withArg: '', long: ['append', 'ignore-interrupts', 'output-error', 'help', 'version'] };
const SED: OptionSpec = {
  flags: 'nrsuzEb',
  withArg: 'efl',
  attachedArg: 'i',
  long: ['in-place', 'quiet', 'silent', 'regexp-extended', 'separate', 'unbuffered', 'null-data', 'zero-terminated', 'posix', 'debug', 'sandbox', 'follow-symlinks', 'binary', 'help', 'version'],
  longWithArg: ['expression', 'file', 'line-length'],
};
const CP: OptionSpec = {
  flags: 'abdfHilLnPprRsuvxTZ',
  withArg: 'St',
  long: [
    'archive', 'attributes-only', 'backup', 'copy-contents', 'debug', 'force', 'interactive', 'link', 'dereference', 'no-clobber',
    'no-dereference', 'preserve', 'recursive', 'reflink', 'remove-destination', 'strip-trailing-slashes', 'symbolic-link', 'update',
    'verbose', 'one-file-system', 'context', 'no-target-directory', 'keep-directory-symlink', 'parents', 'help', 'version',
  ],
  longWithArg: ['no-preserve', 'sparse', 'suffix', 'target-directory'],
};
const MV: OptionSpec = {
  flags: 'bfinTuvZ',
  withArg: 'St',
  long: ['backup', 'debug', 'exchange', 'force', 'interactive', 'no-clobber', 'no-copy', 'strip-trailing-slashes', 'update', 'verbose', 'context', 'no-target-directory', 'help', 'version'],
  longWithArg: ['suffix', 'target-directory'],
};
const RM: OptionSpec = { flags: 'fiIrRdv', withArg: '', long: ['force', 'interactive', 'one-file-system', 'no-preserve-root', 'preserve-root', 'recursive', 'dir', 'verbose', 'help', 'version'] };
const TOUCH: OptionSpec = { flags: 'acfhm', withArg: 'drt', long: ['no-create', 'no-dereference', 'help', 'version'], longWithArg: ['date', 'reference', 'time'] };
const TRUNCATE: OptionSpec = { flags: 'co', withArg: 'rs', long: ['no-create', 'io-blocks', 'help', 'version'], longWithArg: ['reference', 'size'] };

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);
/** Commands that run the rest of their words as a command. */
const WRAPPERS = new Set(['command', 'builtin', 'exec', 'nohup', 'time', 'sudo', 'nice', 'env', '!']);
const MAX_NESTING = 3;

/** A written path as the command names it, before it is resolved against the command's cwd. */
interface Target {
  word: Word;
  via: string;
}

class Scan {
  private readonly writes = new Map<string, ShellWrite>();
  private readonly unsure: string[] = [];
  private readonly isDirectory: (p: string) => boolean;

  constructor(opts: ShellScanOptions) {
    this.isDirectory = opts.isDirectory ?? (() => false);
  }

  result(): ShellScan {
    return { writes: [...this.writes.values()], unsure: this.unsure.length ? [...new Set(this.unsure)].join('; ') : undefined };
  }

  script(text: string, cwd: string | undefined, depth: number): void {
    if (!WRITE_HINT.test(text)) return;
    let commands: SimpleCommand[];
    try {
      commands = new Tokenizer(text).parse();
    } catch (e) {
      if (!(e instanceof Unreadable)) throw e;
      this.unsure.push(e.message);
      return;
    }
    let dir = cwd;
    for (const cmd of commands) dir = this.command(cmd, dir, depth);
  }

  argv(argv: readonly string[], cwd: string, depth: number): void {
    const words = argv.map((text): Word => ({ text, dynamic: false, quoted: true }));
    this.command({ words, redirects: [], before: '', after: '' }, cwd, depth);
  }

  /** Records what one simple command writes; returns the cwd the next command starts in. */
  private command(cmd: SimpleCommand, cwd: string | undefined, depth: number): string | undefined {
    for (const r of cmd.redirects) {
      if (!r.target) continue;
      const writes = r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '<>' || r.op === '&>' || r.op === '&>>' || (r.op === '>&' && r.fd === undefined && !/^([0-9]+|-)$/.test(r.target.text));
      if (writes) this.add({ word: r.target, via: r.op === '<>' ? '<>' : `${r.fd ?? ''}${r.op}` }, cwd);
    }
    let words = cmd.words;
    // Assignments before the command (`LANG=C sed -i …`) and wrappers that run the rest as a command.
    for (;;) {
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!.text)) words = words.slice(1);
      const name = words[0];
      if (!name || name.dynamic) break;
      if (!WRAPPERS.has(name.text)) break;
      words = words.slice(1);
      if (words[0]?.text.startsWith('-')) {
        // `sudo -u x`, `env -u X`, `nice -n 5`: options that take arguments are not followed.
        if (name.text === 'sudo' || name.text === 'env' || name.text === 'nice') return cwd;
        while (words[0]?.text.startsWith('-')) words = words.slice(1);
      }
      continue;
    }
    const name = words[0];
    if (!name) return cwd;
    if (name.dynamic) return cwd;
    const args = words.slice(1);
    const inPipeline = cmd.before === '|' || cmd.after === '|' || cmd.after === '&';
    try {
      switch (path.basename(name.text)) {
        case 'cd':
        case 'pushd':
          if (inPipeline) return cwd;
          if (cmd.before === '||') return undefined;
          return this.changeDir(args, cwd);
        case 'popd':
          return undefined;
        case 'tee': {
          const o = readOptions(args, TEE, 'tee');
          for (const w of o.operands) if (w.text !== '-') this.add({ word: w, via: 'tee' }, cwd);
          break;
        }
        case 'sed': {
          const o = readOptions(args, SED, 'sed');
          if (!o.seen.has('i') && !o.seen.has('in-place')) break;
          let files = o.operands;
          // BSD's `sed -i '' …`: an empty suffix word.
          if (o.seen.get('i') === true && files[0]?.quoted && files[0].text === '') files = files.slice(1);
          if (!o.seen.has('e') && !o.seen.has('f') && !o.seen.has('expression') && !o.seen.has('file')) files = files.slice(1);
          for (const w of files) this.add({ word: w, via: 'sed -i' }, cwd);
          break;
        }
        case 'cp':
        case 'mv':
          this.copyOrMove(path.basename(name.text) as 'cp' | 'mv', args, cwd);
          break;
        case 'rm':
          for (const w of readOptions(args, RM, 'rm').operands) this.add({ word: w, via: 'rm' }, cwd);
          break;
        case 'touch':
          for (const w of readOptions(args, TOUCH, 'touch').operands) this.add({ word: w, via: 'touch' }, cwd);
          break;
        case 'truncate':
          for (const w of readOptions(args, TRUNCATE, 'truncate').operands) this.add({ word: w, via: 'truncate' }, cwd);
          break;
        case 'apply_patch':
        case 'applypatch':
          this.applyPatch(cmd, args, cwd);
          break;
        default:
          if (SHELLS.has(path.basename(name.text))) this.nestedShell(args, cwd, depth);
      }
    } catch (e) {
      if (!(e instanceof OptionError)) throw e;
      this.unsure.push(e.message);
    }
    return cwd;
  }

  private changeDir(args: readonly Word[], cwd: string | undefined): string | undefined {
    const operands = args.filter((w) => !(w.text.startsWith('-') && w.text.length > 1 && !w.quoted));
    const target = operands[0];
    if (operands.length !== 1 || !target || target.dynamic || target.text === '-' || target.text === '') return undefined;
    if (path.isAbsolute(target.text)) return path.resolve(target.text);
    return cwd === undefined ? undefined : path.resolve(cwd, target.text);
  }

  private copyOrMove(tool: 'cp' | 'mv', args: readonly Word[], cwd: string | undefined): void {
    const o = readOptions(args, tool === 'mv' ? MV : CP, tool);
    if (o.seen.has('parents')) throw new OptionError(`${tool} --parents: destinations not followed`);
    const into = o.seen.get('t') ?? o.seen.get('target-directory');
    const noDir = o.seen.has('T') || o.seen.has('no-target-directory');
    let sources = o.operands;
    let dest: Word | undefined;
    if (into && into !== true) dest = into;
    else {
      dest = sources[sources.length - 1];
      sources = sources.slice(0, -1);
    }
    if (!dest || sources.length === 0) return;
    if (dest.dynamic) {
      this.unsure.push(`${tool}: destination '${dest.text}' depends on the shell`);
      if (tool === 'mv') for (const s of sources) this.add({ word: s, via: 'mv' }, cwd);
      return;
    }
    const destAbs = this.resolve(dest.text, cwd);
    const intoDir = !noDir && (!!into || sources.length > 1 || dest.text.endsWith('/') || (destAbs !== undefined && this.isDirectory(destAbs)));
    for (const s of sources) {
      if (tool === 'mv') this.add({ word: s, via: 'mv' }, cwd); // the source goes away
      if (s.dynamic) {
        if (intoDir) this.unsure.push(`${tool}: source '${s.text}' depends on the shell`);
        else this.add({ word: dest, via: tool }, cwd);
        continue;
      }
      const srcAbs = this.resolve(s.text, cwd);
      if (srcAbs !== undefined && this.isDirectory(srcAbs)) {
        this.unsure.push(`${tool} of the folder '${s.text}': the files inside are not listed`);
        continue;
      }
      if (!intoDir) {
        this.add({ word: dest, via: tool }, cwd);
        continue;
      }
      const base = path.basename(s.text);
      if (base && base !== '.' && base !== '..') this.add({ word: { text: path.join(dest.text, base), dynamic: false, quoted: true }, via: tool }, cwd);
    }
  }

  private applyPatch(cmd: SimpleCommand, args: readonly Word[], cwd: string | undefined): void {
    const doc = cmd.redirects.find((r) => r.heredoc)?.heredoc;
    const here = cmd.redirects.find((r) => r.op === '<<<')?.target;
    let text: string | undefined;
    if (doc) text = doc.body;
    else if (here && !here.dynamic) text = here.text;
    else if (args[0] && !args[0].dynamic) text = args[0].text;
    if (text === undefined) {
      this.unsure.push('apply_patch: patch text not given inline');
      return;
    }
    for (const op of parsePatchOps(text)) this.add({ word: { text: op.path, dynamic: false, quoted: true }, via: 'apply_patch' }, cwd);
  }

  /** `bash -c 'script'`, `sh -lc "…"`: the script is read like the outer command. */
  private nestedShell(args: readonly Word[], cwd: string | undefined, depth: number): void {
    const flag = args.findIndex((w) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text));
    if (flag < 0) return; // `bash script.sh`: what the script does is not read
    const script = args[flag + 1];
    if (!script) return;
    if (script.dynamic) {
      this.unsure.push('nested shell script depends on the shell');
      return;
    }
    if (depth >= MAX_NESTING) {
      this.unsure.push('shell nested too deeply');
      return;
    }
    this.script(script.text, cwd, depth + 1);
  }

  private resolve(text: string, cwd: string | undefined): string | undefined {
    if (path.isAbsolute(text)) return path.resolve(text);
    return cwd === undefined ? undefined : path.resolve(cwd, text);
  }

  /** Adds a written file (a folder is left out with a note: the files inside are not listed). */
  private add(t: Target, cwd: string | undefined): void {
    if (t.word.dynamic) {
      this.unsure.push(`${t.via} target '${t.word.text}' depends on the shell`);
      return;
    }
    if (t.word.text === '') return;
    const abs = this.resolve(t.word.text, cwd);
    if (abs === undefined) {
      this.unsure.push(`${t.via} target '${t.word.text}' after a cd that was not followed`);
      return;
    }
    if (abs === '/dev' || abs.startsWith('/dev/')) return;
    if (this.isDirectory(abs)) {
      this.unsure.push(`${t.via} of the folder '${t.word.text}': the files inside are not listed`);
      return;
    }
    if (!this.writes.has(abs)) this.writes.set(abs, { path: abs, via: t.via });
  }
}
