// A worker process of a contention test (a bundled script hammering the store): started with its
// stderr kept, reported when it fails by itself (a SIGKILL is the test's own doing), tracked in `live`.
import { spawn, type ChildProcess } from 'node:child_process';

export function startWorker(js: string, args: string[], live: Set<ChildProcess>, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [js, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.on('exit', (code, signal) => {
    live.delete(child);
    if (signal !== 'SIGKILL' && code !== 0) process.stderr.write(`worker ${child.pid} exited ${code}: ${err}\n`);
  });
  live.add(child);
  return child;
}
