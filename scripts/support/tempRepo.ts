// Real git repositories in temporary folders, for the demo, tests and benchmarks.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempRepo {
  /** realpath of the main worktree */
  root: string;
  git(...args: string[]): string;
  write(rel: string, content: string): string;
  commitAll(message: string): string;
  /** Adds a worktree on a new branch; returns its realpath. */
  addWorktree(name: string, branch: string): string;
  cleanup(): void;
}

export function makeTempRepo(opts: { files?: Record<string, string>; prefix?: string } = {}): TempRepo {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'lockstep-test-')));
  const root = path.join(base, 'repo');
  fs.mkdirSync(root);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 't@example.com');
  git('config', 'commit.gpgsign', 'false');
  const write = (rel: string, content: string) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    return abs;
  };
  const files = opts.files ?? { 'README.md': '# sample\n', 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n' };
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  const commitAll = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commitAll('initial');
  return {
    root,
    git,
    write,
    commitAll,
    addWorktree(name, branch) {
      const wt = path.join(base, name);
      git('worktree', 'add', '-q', '-b', branch, wt);
      return fs.realpathSync(wt);
    },
    cleanup() {
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
