// The embedded store and the repo locator on real temp git repositories (real worktrees, symlinks,
// lock files held by real processes).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { locateRepo, RepoError, resolveEditKey } from '../../src/repoPaths/repoLocator';
import type { AcquireOutcome } from '../../src/core/leaseTable';
import { openEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embeddedStore';
import { acquireFileLock, inspectLock } from '../../src/store/fileLock';
import { fileSystemRefusal, refusedFileSystem } from '../../src/store/fileSystemKind';
import { identifyProcess } from '../../src/agents/agentProcess';
import { readWholeJournal } from '../../src/store/journalFile';
import { encodeSlot, readNewestSlot } from '../../src/store/stateFile';
import { runDoctor } from '../../src/store/storeDoctor';
import { StoreCorruptError, StoreError } from '../../src/store/storeErrors';
import { storePaths, type StorePaths } from '../../src/store/storePaths';

let repo: TempRepo;
let wtB: string;
before(() => {
  repo = makeTempRepo();
  wtB = repo.addWorktree('wt-b', 'task-b');
});
after(() => repo.cleanup());

/** Another process that takes the store lock `lockFile` and keeps it until killed; resolves once it holds it. */
async function spawnLockHolder(lockFile: string): Promise<ChildProcess> {
  const script = `require(${JSON.stringify(path.resolve(__dirname, '../../src/store/fileLock.ts'))}).acquireFileLock(${JSON.stringify(lockFile)}); console.log('held'); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
  return holder;
}

/** Both slot files' bytes (the whole lease table on disk). */
const slotBytes = (p: ReturnType<typeof storePaths>) => p.slots.map((f) => (fs.existsSync(f) ? fs.readFileSync(f) : Buffer.alloc(0)));

const sessionInit = (id: string, worktree: string) => ({ id, agent: id.split(':')[0] as 'claude', cwd: worktree, worktree });

test('locateRepo: main worktree, a subfolder, a linked worktree share one common dir', () => {
  const main = locateRepo(repo.root);
  assert.equal(main.worktreeRoot, repo.root);
  assert.equal(main.commonDir, path.join(repo.root, '.git'));
  assert.equal(main.gitDir, main.commonDir);
  assert.deepEqual(locateRepo(path.join(repo.root, 'src')), main);
  assert.deepEqual(locateRepo(path.join(repo.root, 'src', 'not-yet', 'new.ts')), main);
  const b = locateRepo(path.join(wtB, 'src'));
  assert.equal(b.worktreeRoot, wtB);
  assert.equal(b.commonDir, main.commonDir);
  assert.equal(b.gitDir, path.join(main.commonDir, 'worktrees', 'wt-b'));
});

test('locateRepo outside a repository throws a one-line RepoError', () => {
  const dir = fs.mkdtempSync(path.join(path.dirname(repo.root), 'plain-'));
  assert.throws(() => locateRepo(dir), (e: unknown) => e instanceof RepoError && /not inside a git repository/.test(e.message) && !e.message.includes('\n'));
});

test('resolveEditKey: relative, absolute, not-yet-existing, and another worktree of the same repo', () => {
  assert.deepEqual(resolveEditKey('src/a.ts', repo.root).key, 'src/a.ts');
  assert.equal(resolveEditKey('a.ts', path.join(repo.root, 'src')).key, 'src/a.ts');
  assert.equal(resolveEditKey(path.join(repo.root, 'src/new/dir/file.ts'), repo.root).key, 'src/new/dir/file.ts');
  const other = resolveEditKey(path.join(wtB, 'src/a.ts'), repo.root);
  assert.equal(other.key, 'src/a.ts');
  assert.equal(other.location.worktreeRoot, wtB);
  // Symlink staying inside the worktree: the key is the real file.
  fs.symlinkSync('src', path.join(repo.root, 'src-link'));
  assert.equal(resolveEditKey('src-link/b.ts', repo.root).key, 'src/b.ts');
});

test('resolveEditKey rejects escapes with one-line reasons naming the path', () => {
  const outside = fs.mkdtempSync(path.join(path.dirname(repo.root), 'outside-'));
  fs.symlinkSync(outside, path.join(repo.root, 'escape'));
  fs.symlinkSync(path.join(wtB, 'src'), path.join(repo.root, 'to-b'));
  const cases: Array<[string, RegExp]> = [
    ['../wt-b/src/a.ts', /escapes the worktree/],
    ['src/../../x', /escapes the worktree/],
    ['/etc/passwd', /\/etc\/passwd: outside every worktree of this repository/],
    ['.git/config', /\.git\/config: git internals/],
    [path.join(repo.root, '.git', 'hooks', 'pre-commit'), /git internals/],
    [path.join(wtB, '.git'), /git internals/],
    ['src/a\0.ts', /NUL byte/],
    ['escape/evil.sh', /escape\/evil\.sh: leaves the worktree through a symlink/],
    ['to-b/a.ts', /to-b\/a\.ts: leaves the worktree .* through a symlink/],
    ['', /empty path/],
  ];
  for (const [p, re] of cases) {
    assert.throws(
      () => resolveEditKey(p, repo.root),
      (e: unknown) => e instanceof Error && re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(p),
    );
  }
});

test('network and FUSE file systems are refused with the reason; local ones are not', () => {
  for (const [type, name] of [[0x6969, 'NFS'], [0xff534d42, 'CIFS/SMB'], [0xfe534d42, 'SMB2'], [0x517b, 'SMB'], [0x65735546, 'FUSE']] as const) {
    assert.equal(refusedFileSystem(type), name);
    const msg = fileSystemRefusal(type, '/r/.git/lockstep')!;
    assert.match(msg, new RegExp(`on a ${name.replace('/', '\\/')} file system`));
    assert.match(msg, /atomic rename are not guaranteed/);
  }
  // statfs may report the type as a negative int32 on some platforms.
  assert.equal(refusedFileSystem(0xff534d42 | 0), 'CIFS/SMB');
  for (const local of [0xef53, 0x01021994, 0x9123683e, 0x58465342, 0x794c7630]) assert.equal(fileSystemRefusal(local, '/x'), undefined);
});

test('transactions persist state and journal; unchanged or failed transactions write nothing', () => {
  const r = makeTempRepo();
  try {
    const store = openEmbeddedStore(locateRepo(r.root).commonDir);
    const p = storePaths(locateRepo(r.root).commonDir);
    const granted = store.transact((t) => {
      t.touchSession(sessionInit('claude:s1', r.root));
      return t.acquire('claude:s1', ['src/a.ts', 'src/b.ts']);
    });
    assert.ok(granted.ok);
    assert.deepEqual(Object.keys(store.read().leases).sort(), ['src/a.ts', 'src/b.ts']);
    assert.match(granted.leases[0]!.ownerToken, /^[0-9a-f]{32}$/);
    assert.notEqual(granted.leases[0]!.ownerToken, granted.leases[1]!.ownerToken);
    const j = store.readJournal();
    assert.deepEqual(j.entries.map((e) => e.op), ['session-start', 'grant', 'grant']);
    assert.equal(j.nextOffset, fs.statSync(p.journal).size);

    const before = { state: slotBytes(p), journal: fs.readFileSync(p.journal) };
    assert.equal(store.transact((t) => t.state.fence), 2, 'read-only transaction');
    assert.throws(() =>
      store.transact((t) => {
        t.releaseAllOf('claude:s1');
        throw new Error('changed my mind');
      }),
    /changed my mind/);
    assert.deepEqual(slotBytes(p), before.state);
    assert.deepEqual(fs.readFileSync(p.journal), before.journal);

    // Reading on from an offset returns only the new lines.
    store.transact((t) => t.releaseBySession('claude:s1', ['src/a.ts']));
    const more = store.readJournal(j.nextOffset);
    assert.deepEqual(more.entries.map((e) => [e.op, e.key]), [['release', 'src/a.ts']]);
    assert.equal(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp-')).length, 0, 'no temp file left');

    // A denial is journaled but does not rewrite the table (it changed no lease).
    store.transact((t) => t.touchSession(sessionInit('codex:s2', r.root)));
    const stateBytes = slotBytes(p);
    const denied = store.transact((t) => {
      t.touchSession(sessionInit('codex:s2', r.root));
      return t.acquire('codex:s2', ['src/b.ts']);
    });
    assert.equal(denied.ok, false);
    assert.deepEqual(slotBytes(p), stateBytes);
    const last = store.readJournal().entries.at(-1)!;
    assert.deepEqual([last.op, last.key, last.holder], ['deny', 'src/b.ts', 'claude:s1']);
  } finally {
    r.cleanup();
  }
});

/** A fresh repository with its store; `grant` registers the session and acquires the keys. */
function withFreshStore(body: (ctx: { root: string; commonDir: string; store: EmbeddedStore; p: StorePaths; grant: (session: string, keys: string[]) => AcquireOutcome }) => void, opts: EmbeddedStoreOptions = {}): void {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir, opts);
    const grant = (session: string, keys: string[]) =>
      store.transact((t) => {
        t.touchSession(sessionInit(session, r.root));
        return t.acquire(session, keys);
      });
    body({ root: r.root, commonDir, store, p: storePaths(commonDir), grant });
  } finally {
    r.cleanup();
  }
}

test('commits alternate between two slot files rewritten in place (same inode, same size)', () => {
  withFreshStore(({ store, p, grant }) => {
    grant('claude:s1', ['a']);
    grant('claude:s1', ['b']);
    const inodes = p.slots.map((f) => fs.statSync(f).ino);
    const sizes = p.slots.map((f) => fs.statSync(f).size);
    const seqs = () => p.slots.map((f) => Number(/"seq":(\d+)/.exec(fs.readFileSync(f, 'utf8'))![1]));
    assert.deepEqual(seqs().sort(), [1, 2]);
    grant('claude:s1', ['c']);
    assert.deepEqual(seqs().sort(), [2, 3], 'the older slot took the new commit');
    assert.deepEqual(p.slots.map((f) => fs.statSync(f).ino), inodes, 'no rename: overwritten in place');
    assert.deepEqual(p.slots.map((f) => fs.statSync(f).size), sizes, 'padded to a stable size');
    assert.deepEqual(Object.keys(store.read().leases).sort(), ['a', 'b', 'c']);
  });
});

test('a commit torn by a crash mid-write falls back to the previous one; the fence never repeats a journaled one', () => {
  withFreshStore(({ commonDir, store, p, grant }) => {
    grant('claude:s1', ['a']);
    store.transact((t) => t.acquire('claude:s1', ['b']));
    // The newest slot (seq 2, fence 2) torn half-way, as a power cut mid-write leaves it.
    const newest = p.slots.find((f) => /"seq":2,/.test(fs.readFileSync(f, 'utf8')))!;
    const text = fs.readFileSync(newest);
    fs.writeFileSync(newest, Buffer.concat([text.subarray(0, text.length / 2), Buffer.alloc(text.length - text.length / 2, 0x78)]));
    const previous = store.read();
    assert.deepEqual(Object.keys(previous.leases), ['a'], 'the previous commit is read');
    assert.equal(previous.fence, 1);
    // Fence 2 was journaled (here the slot broke after its commit): the next grant must not reuse it.
    const next = grant('codex:s2', ['c']);
    assert.ok(next.ok);
    assert.equal(next.leases[0]!.fence, 3);
    const report = runDoctor(commonDir, { repair: false });
    assert.equal(report.healthy, true, JSON.stringify(report));
    assert.ok(p.slots.every((f) => /"seal":"[0-9a-f]{64}"\}\s*$/.test(fs.readFileSync(f, 'utf8'))), 'the torn slot was replaced by the next commit');
  });
});

test('a slot is trusted only when sealed: a hand edit is ignored, and with both slots damaged transactions refuse and doctor rebuilds', () => {
  withFreshStore(({ root, commonDir, store, p, grant }) => {
    store.transact((t) => {
      t.touchSession(sessionInit('claude:s1', root));
      t.touchSession(sessionInit('codex:s2', root));
      t.acquire('claude:s1', ['a', 'b']);
      t.acquire('codex:s2', ['c']);
    });
    store.transact((t) => t.releaseBySession('claude:s1', ['b']));
    const good = store.read();
    assert.equal(good.fence, 3);
    // Edited by hand: the seal no longer matches, so the other (older) commit is used.
    const newest = p.slots.find((f) => /"seq":2,/.test(fs.readFileSync(f, 'utf8')))!;
    fs.writeFileSync(newest, fs.readFileSync(newest, 'utf8').replace('"fence":3', '"fence":9'));
    assert.ok(store.read().leases.b, 'the commit before the release');

    // Both damaged: refused with one line naming doctor, and nothing written.
    for (const f of p.slots) fs.writeFileSync(f, '{"version":1,"fence":3,"sessions":{},"leases":{"a":{"key":"a"');
    const journalBefore = fs.readFileSync(p.journal);
    assert.throws(() => store.transact(() => 1), (e: unknown) => e instanceof StoreCorruptError && /no intact lease table/.test(e.message) && /lockstep doctor/.test(e.message) && !e.message.includes('\n'));
    assert.throws(() => store.read(), StoreCorruptError);
    assert.deepEqual(fs.readFileSync(p.journal), journalBefore);

    const report = runDoctor(commonDir);
    assert.equal(report.healthy, true, JSON.stringify(report));
    const stateCheck = report.checks.find((c) => c.name === 'state' && c.repaired?.includes('moved'))!;
    assert.match(stateCheck.repaired!, /moved the bad file\(s\) aside: state\.a\.json\.bad-.*state\.b\.json\.bad-/);
    const aside = fs.readdirSync(p.dir).filter((f) => f.includes('.json.bad-'));
    assert.equal(aside.length, 2);
    assert.match(fs.readFileSync(path.join(p.dir, aside[0]!), 'utf8'), /"key":"a"$/, 'the bad files are kept, byte for byte');
    assert.deepEqual(fs.readFileSync(p.journal).subarray(0, journalBefore.length), journalBefore, 'journal untouched');

    const rebuilt = store.read();
    assert.ok(rebuilt.fence > 3, `fence ${rebuilt.fence} must be above every fence seen`);
    assert.deepEqual(Object.keys(rebuilt.leases).sort(), ['a', 'c'], 'open leases rebuilt from the journal');
    assert.equal(rebuilt.leases.a!.session, 'claude:s1');
    assert.equal(rebuilt.leases.a!.fence, good.leases.a!.fence);
    const next = grant('gemini:s3', ['d']);
    assert.ok(next.ok && next.leases[0]!.fence > 3);
  });
});

test('a state.json of an earlier build is read, validated, and superseded by the first commit', () => {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const p = storePaths(commonDir);
    fs.mkdirSync(p.dir, { recursive: true });
    const legacy = { version: 1, fence: 7, sessions: {}, leases: {}, reservations: {}, edits: [], tasks: {} };
    fs.writeFileSync(p.legacy, JSON.stringify({ ...legacy, fence: 'seven' }));
    const store = openEmbeddedStore(commonDir);
    assert.throws(() => store.read(), (e: unknown) => e instanceof StoreCorruptError && /state\.json is invalid \(fence: Expected number, received string\)/.test(e.message));
    fs.writeFileSync(p.legacy, JSON.stringify(legacy));
    assert.equal(store.read().fence, 7);
    const out = store.transact((t) => {
      t.touchSession(sessionInit('claude:s1', r.root));
      return t.acquire('claude:s1', ['a']);
    });
    assert.ok(out.ok && out.leases[0]!.fence === 8);
    assert.equal(fs.existsSync(p.legacy), false, 'superseded');
    assert.equal(store.read().fence, 8);
  } finally {
    r.cleanup();
  }
});

test('a missing lease table with a journal is refused, not silently restarted from fence 0', () => {
  withFreshStore(({ commonDir, store, grant }) => {
    grant('claude:s1', ['a']);
    for (const f of storePaths(commonDir).slots) fs.rmSync(f, { force: true });
    assert.throws(() => store.transact(() => 0), /missing but the journal has history; run `lockstep doctor`/);
    assert.equal(runDoctor(commonDir).healthy, true);
    assert.ok(store.read().fence >= 2);
  });
});

test('after a machine restart, journal lines the crash lost are restored from the committed table', () => {
  withFreshStore(({ store, p, grant }) => {
    grant('claude:s1', ['a']);
    const reachedDisk = fs.statSync(p.journal).size;
    store.transact((t) => t.acquire('claude:s1', ['b']));
    store.transact((t) => t.releaseBySession('claude:s1', ['a']));
    const full = readWholeJournal(p.journal, p.journalRotated).entries.map((e) => [e.op, e.key, e.fence]);
    // What a power cut can leave: of the lines appended since the journal's last sync, only the
    // first ones reached the disk; the newest commit (synced) says it was written before this boot.
    const newest = readNewestSlot(p)!;
    assert.equal(newest.meta.pending.length, 4, 'ownership entries are committed with the table until the journal is synced');
    fs.truncateSync(p.journal, reachedDisk);
    const slot = p.slots[newest.slot];
    fs.writeFileSync(slot, encodeSlot(newest.state, newest.seq, { ...newest.meta, boot: 'a-boot-before-the-crash' }).content);
    // The next transaction (even a denial) restores them, once.
    grant('codex:s2', ['b']);
    store.transact(() => 0);
    const after = readWholeJournal(p.journal, p.journalRotated).entries.map((e) => [e.op, e.key, e.fence]);
    assert.deepEqual(after.slice(0, full.length), full, 'the lost grant and release are back, in order');
    assert.deepEqual(after.slice(full.length).map((e) => e[0]), ['session-start', 'deny']);
    assert.equal(readNewestSlot(p)!.meta.boot !== 'a-boot-before-the-crash', true);
  });
});

test('readers without the lock never see a torn table while another process commits multi-page tables in place', async () => {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir);
    const p = storePaths(commonDir);
    // A writer process: 1500 recorded edits make a table of many pages, then it commits as fast as it can.
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const {openEmbeddedStore}=require(${JSON.stringify(path.resolve(__dirname, '../../src/store/embeddedStore.ts'))});
         const s=openEmbeddedStore(${JSON.stringify(commonDir)});
         s.transact((t)=>{t.touchSession({id:'claude:w',agent:'claude',cwd:'/w',worktree:'/w'}); for(let i=0;i<1500;i++) t.recordEdit({key:'src/file-'+i+'.ts',session:'claude:w',worktree:'/w',tool:'Edit',source:'hook'});});
         console.log('ready');
         const stop=${JSON.stringify(path.join(r.root, 'stop-writer'))}; let i=0;
         for(;i<5000&&!require('node:fs').existsSync(stop);i++){const o=s.transact((t)=>t.acquire('claude:w',['k'+(i%5)])); s.transact((t)=>t.releaseWithToken('k'+(i%5),o.leases[0].ownerToken));}
         console.log('commits '+i);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    await new Promise<void>((resolve) => writer.stdout!.on('data', (d) => ((out += d), out.includes('ready') && resolve())));
    assert.ok(fs.statSync(p.slots[0]).size > 4 * 4096, 'the table spans several pages');
    const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    let reads = 0;
    let lastFence = 0;
    try {
      while (!done) {
        const state = store.read(); // throws on a table it cannot read whole
        assert.ok(state.fence >= lastFence, `never an older commit than one already seen (fence ${state.fence} after ${lastFence}, read ${reads + 1})`);
        assert.equal(state.edits.length, 1500);
        lastFence = state.fence;
        reads++;
        // The writer commits until this reader has raced it enough (a loaded machine may give the reader little time).
        if (reads >= 30 && lastFence >= 40 && !fs.existsSync(path.join(r.root, 'stop-writer'))) fs.writeFileSync(path.join(r.root, 'stop-writer'), '');
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      // Whatever failed here, the writer stops before the repository goes: a failure reports itself,
      // not the clean-up racing a process still writing into the store folder.
      if (!done) writer.kill('SIGKILL');
      await exited;
    }
    assert.equal(await exited, 0);
    const commits = Number(/commits (\d+)/.exec(out)?.[1]);
    assert.ok(reads >= 30 && commits >= 40, `${reads} reads raced ${commits} writer commits`);
    assert.equal(store.read().fence, commits);
  } finally {
    r.cleanup();
  }
});

test('a lock-free read that finds the newest slot half rewritten reads again, not the older slot (which may be older than what it saw)', async () => {
  // What a reader held up between its reads of the two slots can meet while a writer commits twice:
  // one slot intact but old, the other being rewritten. A writer finishes within milliseconds.
  const r = makeTempRepo();
  const child: { p?: ChildProcess } = {};
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir);
    const p = storePaths(commonDir);
    store.transact((t) => {
      t.touchSession(sessionInit('claude:s1', r.root));
      t.acquire('claude:s1', ['a']);
    });
    store.transact((t) => t.acquire('claude:s1', ['b']));
    store.transact((t) => t.acquire('claude:s1', ['c']));
    const newest = readNewestSlot(p)!;
    assert.equal(newest.state.fence, 3);
    const file = p.slots[newest.slot];
    const whole = fs.readFileSync(file, 'utf8');
    // Half of the commit written (the file is padded: the half of its content, not of the file).
    const half = whole.trimEnd().length >> 1;
    const torn = `${whole.slice(0, half)}${' '.repeat(whole.length - half)}`;
    // The "writer": once the slot is torn, it completes the rewrite a moment later.
    child.p = spawn(
      process.execPath,
      ['-e', `const fs=require('fs');const f=${JSON.stringify(file)};const whole=${JSON.stringify(whole)};console.log('ready');
       const t=setInterval(()=>{if(fs.readFileSync(f,'utf8')!==whole){clearInterval(t);setTimeout(()=>{fs.writeFileSync(f,whole);process.exit(0);},30);}},2);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.p!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    fs.writeFileSync(file, torn);
    const seen = store.read();
    assert.equal(seen.fence, 3, 'the read returned the older slot while the newest was being rewritten');
  } finally {
    child.p?.kill('SIGKILL');
    r.cleanup();
  }
});

test('a request another session holds is denied from a snapshot, without waiting for the store lock', async () => {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir, { lockTimeoutMs: 300 });
    const p = storePaths(commonDir);
    store.transact((t) => {
      t.touchSession(sessionInit('claude:s1', r.root));
      t.touchSession(sessionInit('codex:s2', r.root));
      t.acquire('claude:s1', ['a']);
    });
    const holder = await spawnLockHolder(p.lock);
    try {
      const request = (key: string) =>
        store.transactUnlessDenied((t) => {
          t.touchSession(sessionInit('codex:s2', r.root));
          return t.acquire('codex:s2', [key]);
        });
      const denied = request('a');
      assert.equal(denied.ok, false);
      assert.equal(!denied.ok && denied.denials[0]!.reason.kind === 'held' && denied.denials[0]!.reason.lease.session, 'claude:s1');
      const last = store.readJournal().entries.at(-1)!;
      assert.deepEqual([last.op, last.key, last.session, last.holder], ['deny', 'a', 'codex:s2', 'claude:s1'], 'the denial is journaled');
      // A grant changes the table: it needs the lock, which a live process holds.
      assert.throws(() => request('free'), (e: unknown) => e instanceof StoreError && /held for/.test(e.message));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    const granted = store.transactUnlessDenied((t) => t.acquire('codex:s2', ['free']));
    assert.ok(granted.ok, 'granted once the dead holder\'s lock is broken');
  } finally {
    r.cleanup();
  }
});

test('journal rotates past the threshold, keeping one old generation', () => {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir, { journalRotateBytes: 600 });
    const p = storePaths(commonDir);
    for (let i = 0; i < 30; i++) {
      store.transact((t) => {
        t.touchSession(sessionInit('claude:s1', r.root));
        t.acquire('claude:s1', [`f${i}`]);
      });
    }
    assert.ok(fs.existsSync(p.journalRotated));
    assert.ok(fs.statSync(p.journal).size < 600 + 400);
    assert.deepEqual(fs.readdirSync(p.dir).filter((f) => f.startsWith('journal')).sort(), ['journal.1.jsonl', 'journal.jsonl']);
    // A follower whose offset is past the new file's end restarts at 0.
    const j = store.readJournal(10_000_000);
    assert.equal(j.rotated, true);
    assert.ok(j.entries.length > 0);
  } finally {
    r.cleanup();
  }
});

test('config.json is validated: a bad field is named', () => {
  const r = makeTempRepo();
  try {
    const store = openEmbeddedStore(locateRepo(r.root).commonDir);
    assert.deepEqual(store.config(), {});
    store.setConfig({ ttlSeconds: 30, failOpen: true, scopePolicy: 'warn' });
    assert.deepEqual(store.config(), { ttlSeconds: 30, failOpen: true, scopePolicy: 'warn' });
    fs.writeFileSync(storePaths(locateRepo(r.root).commonDir).config, '{"ttlSeconds":"soon"}');
    assert.throws(() => store.config(), (e: unknown) => e instanceof StoreError && /ttlSeconds: Expected number/.test(e.message));
    assert.throws(() => store.transact(() => 0), /ttlSeconds/);
  } finally {
    r.cleanup();
  }
});

test('a lock left by a killed process is broken; a live holder makes waiters time out', async () => {
  const r = makeTempRepo();
  try {
    const commonDir = locateRepo(r.root).commonDir;
    const store = openEmbeddedStore(commonDir, { lockTimeoutMs: 300 });
    const lock = storePaths(commonDir).lock;

    // A real process that exited: its pid is gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const me = identifyProcess(process.pid)!;
    fs.writeFileSync(lock, JSON.stringify({ pid: Number(gone.stdout), startTime: 'x:1', host: me.host, nonce: 'dead', at: Date.now() }));
    assert.equal(inspectLock(lock).kind, 'dead');
    assert.equal(store.transact((t) => t.state.fence), 0);
    assert.equal(fs.existsSync(lock), false);

    // Our own pid with another start time: a reused pid, so the holder is dead.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, startTime: me.startTime.replace(/\/\d+$/, '/1'), host: me.host, nonce: 'reused', at: Date.now() }));
    assert.equal(store.transact(() => 'ok'), 'ok');

    // Unparsable and fresh: the holder may be writing it: wait, then time out. Old: broken.
    fs.writeFileSync(lock, '');
    assert.throws(() => store.transact(() => 0), (e: unknown) => e instanceof StoreError && /lockstep doctor/.test(e.message));
    const old = (Date.now() - 3000) / 1000;
    fs.utimesSync(lock, old, old);
    assert.equal(store.transact(() => 'after'), 'after');

    // A live holder in another process.
    const holder = await spawnLockHolder(lock);
    try {
      const cond = inspectLock(lock);
      assert.equal(cond.kind, 'held');
      assert.throws(() => store.transact(() => 0), (e: unknown) => e instanceof StoreError && /held for .* by pid \d+/.test(e.message) && /lockstep doctor/.test(e.message));
      // Killed with SIGKILL: no cleanup ran, the file stays, and the next transaction breaks it.
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      assert.ok(fs.existsSync(lock));
      assert.equal(store.transact(() => 'recovered'), 'recovered');
    } finally {
      holder.kill('SIGKILL');
    }
    const held = acquireFileLock(lock);
    held.release();
    assert.equal(fs.existsSync(lock), false);
    assert.equal(runDoctor(commonDir).healthy, true);
  } finally {
    r.cleanup();
  }
});
