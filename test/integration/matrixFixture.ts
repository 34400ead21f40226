// A real repository for the matrix tests: a plan of four tasks and crafted task branches whose
// merges conflict in every way git knows (content, modify/delete, add/add, binary, rename/rename),
// one branch that changed unrelated files (docs), and a task not started yet (img).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

export const MATRIX_PLAN = `target: main
maxParallel: 3
tasks:
  - id: api
    title: "API <img src=x onerror=alert(1)>"
    prompt: build the api
    scope: ["src/**"]
  - id: web
    title: Web front end
    prompt: build the web
    scope: ["src/shared.ts", "web/**", "assets/**"]
  - id: docs
    title: Docs
    prompt: write docs
    scope: ["docs/**"]
  - id: img
    title: Images
    prompt: draw
    scope: ["assets/**"]
`;

export interface MatrixRepo {
  repo: TempRepo;
  /** Worktree folder of each started task. */
  worktrees: Record<'api' | 'web' | 'docs', string>;
  commit(worktree: string, message: string): string;
  cleanup(): void;
}

function binary(seed: number): Buffer {
  const b = Buffer.alloc(256);
  for (let i = 0; i < b.length; i++) b[i] = (i * seed) & 0xff;
  b[0] = 0; // a NUL byte: git treats the file as binary
  return b;
}

export function makeMatrixRepo(): MatrixRepo {
  const repo = makeTempRepo({
    prefix: 'lockstep-matrix-',
    files: {
      'README.md': '# sample\n',
      'src/shared.ts': 'export const shared = 0;\n',
      'src/rename-me.ts': 'export const renamed = 1;\n// a few lines so rename detection has content\n// one\n// two\n// three\n',
      'src/delete-me.ts': 'export const doomed = 1;\n',
      'docs/readme.md': '# docs\n',
      'web/app.ts': 'export const app = 1;\n',
      '.lockstep/plan.yaml': MATRIX_PLAN,
    },
  });
  fs.mkdirSync(path.join(repo.root, 'assets'));
  fs.writeFileSync(path.join(repo.root, 'assets/logo.bin'), binary(3));
  repo.commitAll('assets');

  const env = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' };
  const gitIn = (dir: string, ...args: string[]) => {
    return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
  };
  const commit = (dir: string, message: string) => {
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-q', '-m', message);
    return gitIn(dir, 'rev-parse', 'HEAD');
  };
  const w = (dir: string, rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  };

  const api = repo.addWorktree('wt-api', 'lockstep/api');
  w(api, 'src/shared.ts', 'export const shared = "api";\n');
  gitIn(api, 'mv', 'src/rename-me.ts', 'src/renamed-by-api.ts');
  fs.rmSync(path.join(api, 'src/delete-me.ts'));
  w(api, 'src/both.ts', 'export const both = "api";\n');
  w(api, 'assets/logo.bin', binary(5));
  commit(api, 'api work');

  const web = repo.addWorktree('wt-web', 'lockstep/web');
  w(web, 'src/shared.ts', 'export const shared = "web";\n');
  gitIn(web, 'mv', 'src/rename-me.ts', 'src/renamed-by-web.ts');
  w(web, 'src/delete-me.ts', 'export const doomed = 2; // still needed\n');
  w(web, 'src/both.ts', 'export const both = "web";\n');
  w(web, 'assets/logo.bin', binary(7));
  commit(web, 'web work');

  const docs = repo.addWorktree('wt-docs', 'lockstep/docs');
  w(docs, 'docs/readme.md', '# docs, rewritten\n');
  commit(docs, 'docs work');

  return {
    repo,
    worktrees: { api, web, docs },
    commit,
    cleanup: () => repo.cleanup(),
  };
}

/**
 * The store as the scheduler and hooks would leave it: api, web and docs running in their worktrees,
 * api's agent holding src/shared.ts, web's agent having edited web/app.ts (still uncommitted in its
 * worktree), and the user (a session tied to no task) holding web/app.ts.
 */
export function seedStore(r: MatrixRepo, user = 'vscode:alice'): void {
  const store = openEmbeddedStore(fs.realpathSync(path.join(r.repo.root, '.git')));
  fs.appendFileSync(path.join(r.worktrees.web, 'web/app.ts'), '// web agent, not committed yet\n');
  store.transact((t) => {
    for (const id of ['api', 'web', 'docs'] as const) {
      t.touchSession({ id: `claude:${id}-1`, agent: 'claude', cwd: r.worktrees[id], worktree: r.worktrees[id], task: id, source: 'scheduler' });
      t.setTask({ id, state: { status: 'running' }, branch: `lockstep/${id}`, worktree: r.worktrees[id], sessions: [`claude:${id}-1`], startedAt: Date.now() });
    }
    t.touchSession({ id: user, agent: 'vscode', cwd: r.repo.root, worktree: r.repo.root, source: 'cli' });
    const a = t.acquire('claude:api-1', ['src/shared.ts'], { task: 'api' });
    const b = t.acquire(user, ['web/app.ts']);
    if (!a.ok || !b.ok) throw new Error('seeding leases failed');
    t.recordEdit({ key: 'web/app.ts', session: 'claude:web-1', worktree: r.worktrees.web, tool: 'Edit', source: 'hook' });
  });
}
