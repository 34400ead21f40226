// Lease rules (src/core/leaseTable.ts): pure, so time, tokens and process liveness are injected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LeaseTable, type ProcessVerdict, type RuleContext } from '../../src/core/leaseTable';
import { describeDenials } from '../../src/core/denialMessage';
import { emptyState, type LeaseTableState, type ProcessIdentity } from '../../src/core/model';

interface Clock {
  now: number;
  tokens: number;
  dead: Set<number>;
}

function harness(opts: Partial<RuleContext> = {}) {
  const clock: Clock = { now: 1_000_000, tokens: 0, dead: new Set() };
  const state: LeaseTableState = emptyState();
  /** A fresh table per "transaction", over the same state, like the store does. */
  const tx = (extra: Partial<RuleContext> = {}) => {
    const t = new LeaseTable(state, {
      now: clock.now,
      ttlMs: 60_000,
      newToken: () => (++clock.tokens).toString(16).padStart(32, '0'),
      processVerdict: (id: ProcessIdentity): ProcessVerdict => (clock.dead.has(id.pid) ? { state: 'dead', reason: `process ${id.pid} has exited` } : { state: 'alive' }),
      ...opts,
      ...extra,
    });
    t.sweep();
    return t;
  };
  const session = (t: LeaseTable, id: string, extra: { task?: string; readOnly?: boolean; pid?: number } = {}) =>
    t.touchSession({
      id,
      agent: id.split(':')[0] as 'claude',
      cwd: '/repo',
      worktree: '/repo',
      task: extra.task,
      readOnly: extra.readOnly,
      process: extra.pid ? { pid: extra.pid, startTime: 'b:1', host: 'h' } : undefined,
    });
  return { clock, state, tx, session };
}

test('acquire of several keys is all-or-nothing', () => {
  const h = harness();
  let t = h.tx();
  h.session(t, 'claude:a');
  h.session(t, 'codex:b');
  assert.equal(t.acquire('claude:a', ['src/x.ts']).ok, true);
  const out = t.acquire('codex:b', ['src/y.ts', 'src/x.ts', 'src/z.ts']);
  assert.equal(out.ok, false);
  assert.deepEqual(Object.keys(h.state.leases).sort(), ['src/x.ts']);
  assert.equal(h.state.leases['src/x.ts']!.session, 'claude:a');
  if (!out.ok) {
    assert.deepEqual(out.denials.map((d) => d.key), ['src/x.ts']);
    const msg = describeDenials(out.denials, h.clock.now);
    assert.match(msg, /src\/x\.ts is held by claude session a/);
    assert.match(msg, /1 more minute/);
  }
  t = h.tx();
  const again = t.acquire('codex:b', ['src/y.ts', 'src/z.ts']);
  assert.equal(again.ok, true);
});

test('own lease is renewed, not re-granted (same token and fence)', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:a');
  const first = t.acquire('claude:a', ['f']);
  assert.ok(first.ok);
  h.clock.now += 30_000;
  const t2 = h.tx();
  const second = t2.acquire('claude:a', ['f']);
  assert.ok(second.ok);
  assert.deepEqual(second.renewed, ['f']);
  assert.equal(second.leases[0]!.fence, first.leases[0]!.fence);
  assert.equal(second.leases[0]!.ownerToken, first.leases[0]!.ownerToken);
  assert.equal(second.leases[0]!.expiresAt, h.clock.now + 60_000);
});

test('renew and release with a wrong token are refused and change no lease', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:a');
  const got = t.acquire('claude:a', ['f']);
  assert.ok(got.ok);
  const lease = { ...got.leases[0]! };
  const wrong = 'f'.repeat(32);
  assert.equal(t.renew('f', wrong).ok, false);
  assert.equal(t.releaseWithToken('f', wrong).ok, false);
  assert.deepEqual(h.state.leases.f, lease);
  assert.deepEqual(t.journal.filter((e) => e.op === 'refuse').length, 2);
  assert.equal(t.releaseWithToken('f', lease.ownerToken).ok, true);
  assert.equal(h.state.leases.f, undefined);
  // The released token is dead too.
  assert.equal(t.renew('f', lease.ownerToken).ok, false);
});

test('expired leases are freed; the old token no longer renews or releases', () => {
  const h = harness();
  let t = h.tx();
  h.session(t, 'claude:a');
  h.session(t, 'codex:b');
  const a = t.acquire('claude:a', ['f']);
  assert.ok(a.ok);
  h.clock.now += 60_001;
  t = h.tx();
  assert.equal(h.state.leases.f, undefined, 'sweep expired it');
  assert.ok(t.journal.some((e) => e.op === 'expire' && e.key === 'f'));
  const b = t.acquire('codex:b', ['f']);
  assert.ok(b.ok);
  assert.ok(b.leases[0]!.fence > a.leases[0]!.fence);
  assert.equal(t.renew('f', a.leases[0]!.ownerToken).ok, false);
  assert.equal(t.releaseWithToken('f', a.leases[0]!.ownerToken).ok, false);
  assert.equal(Object.values(h.state.leases)[0]?.session, 'codex:b');
});

test('fences strictly increase and are never reused (property)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          op: fc.constantFrom('acquire', 'release', 'end', 'tick', 'renew'),
          who: fc.constantFrom('claude:a', 'codex:b', 'gemini:c'),
          keys: fc.subarray(['k1', 'k2', 'k3'], { minLength: 1 }),
          ms: fc.integer({ min: 0, max: 90_000 }),
        }),
        { maxLength: 60 },
      ),
      (ops) => {
        const h = harness();
        const seen = new Set<number>();
        let last = 0;
        for (const o of ops) {
          const t = h.tx();
          h.session(t, o.who);
          if (o.op === 'acquire') t.acquire(o.who, o.keys);
          else if (o.op === 'release') t.releaseBySession(o.who, o.keys);
          else if (o.op === 'end') t.endSession(o.who, 'test');
          else if (o.op === 'renew') for (const k of o.keys) t.renew(k, h.state.leases[k]?.ownerToken ?? '0'.repeat(32));
          else h.clock.now += o.ms;
          for (const e of t.journal) {
            if (e.op !== 'grant') continue;
            assert.ok(!seen.has(e.fence!), `fence ${e.fence} reused`);
            assert.ok(e.fence! > last, `fence ${e.fence} not above ${last}`);
            seen.add(e.fence!);
            last = e.fence!;
          }
          // At most one holder per key, and every lease's fence was granted.
          for (const l of Object.values(h.state.leases)) assert.ok(seen.has(l.fence));
        }
        assert.equal(h.state.fence, last);
      },
    ),
    { numRuns: 300 },
  );
});

test('a read-only session is denied every edit', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:r', { readOnly: true, task: 'review' });
  const out = t.acquire('claude:r', ['src/a.ts']);
  assert.equal(out.ok, false);
  if (!out.ok) {
    assert.equal(out.denials[0]!.reason.kind, 'read-only');
    assert.match(describeDenials(out.denials, h.clock.now), /read-only \(task 'review'\)/);
  }
  assert.deepEqual(Object.keys(h.state.leases), []);
});

test("a reservation keeps other sessions out of a running task's scope", () => {
  const h = harness();
  const t = h.tx();
  t.reserve({ task: 'api', globs: ['src/api/**'], sessions: ['claude:a'] });
  h.session(t, 'claude:a', { task: 'api' });
  h.session(t, 'codex:b', { task: 'ui' });
  h.session(t, 'gemini:c');
  assert.equal(t.acquire('claude:a', ['src/api/x.ts']).ok, true);
  const b = t.acquire('codex:b', ['src/api/y.ts']);
  assert.equal(b.ok, false);
  if (!b.ok) assert.equal(b.denials[0]!.reason.kind, 'reserved');
  assert.equal(t.acquire('gemini:c', ['src/api/z.ts']).ok, false);
  assert.equal(t.acquire('gemini:c', ['src/ui/z.ts']).ok, true);
  t.unreserve('api');
  assert.equal(t.acquire('gemini:c', ['src/api/z.ts']).ok, true);
});

test('a session holding a file before a task reserved it may keep editing it; others still may not', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:carol');
  h.session(t, 'claude:api', { task: 'api' });
  h.session(t, 'codex:b');
  assert.equal(t.acquire('claude:carol', ['src/api/orders.ts']).ok, true);
  t.reserve({ task: 'api', globs: ['src/api/**'], sessions: [] });
  assert.equal(t.acquire('claude:carol', ['src/api/orders.ts']).ok, true, 'the holder renews its own lease');
  const other = t.acquire('claude:carol', ['src/api/users.ts']);
  assert.equal(other.ok, false, 'a file it does not hold stays reserved');
  if (!other.ok) assert.equal(other.denials[0]!.reason.kind, 'reserved');
  const api = t.acquire('claude:api', ['src/api/orders.ts']);
  assert.equal(api.ok, false);
  if (!api.ok) assert.equal(api.denials[0]!.reason.kind, 'held');
  t.releaseBySession('claude:carol', ['src/api/orders.ts']);
  const again = t.acquire('claude:carol', ['src/api/orders.ts']);
  assert.equal(again.ok, false, 'once released, the reservation applies to the old holder too');
  assert.equal(t.acquire('claude:api', ['src/api/orders.ts']).ok, true);
});

test('scope policy: deny, warn or off for edits outside the own task scope', () => {
  for (const policy of ['deny', 'warn', 'off'] as const) {
    const h = harness({ scopePolicy: policy });
    const t = h.tx();
    t.reserve({ task: 'api', globs: ['src/api/**'], sessions: [] });
    h.session(t, 'claude:a', { task: 'api' });
    const out = t.acquire('claude:a', ['docs/readme.md']);
    if (policy === 'deny') {
      assert.equal(out.ok, false, policy);
      if (!out.ok) assert.equal(out.denials[0]!.reason.kind, 'out-of-scope');
    } else {
      assert.equal(out.ok, true, policy);
      if (out.ok) assert.equal(out.warnings.length, policy === 'warn' ? 1 : 0, policy);
    }
  }
});

test("a dead holder's leases are freed at once (injected process verdict), a live one's are not", () => {
  const h = harness();
  let t = h.tx();
  h.session(t, 'claude:a', { pid: 4242 });
  h.session(t, 'codex:b', { pid: 4343 });
  assert.ok(t.acquire('claude:a', ['f']).ok);
  assert.equal(t.acquire('codex:b', ['f']).ok, false, 'holder alive: denied');
  h.clock.dead.add(4242);
  t = h.tx();
  assert.equal(h.state.sessions['claude:a']!.endedAt, h.clock.now, 'sweep ended the dead session');
  assert.match(h.state.sessions['claude:a']!.endReason!, /4242 has exited/);
  const b = t.acquire('codex:b', ['f']);
  assert.ok(b.ok);
});

test('a dead holder is detected inside acquire too (between sweeps)', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:a', { pid: 7 });
  h.session(t, 'codex:b');
  assert.ok(t.acquire('claude:a', ['f']).ok);
  h.clock.dead.add(7);
  assert.ok(t.acquire('codex:b', ['f']).ok);
});

test('ending a session releases its leases; ended sessions are kept an hour, then dropped', () => {
  const h = harness();
  let t = h.tx();
  h.session(t, 'claude:a');
  assert.ok(t.acquire('claude:a', ['f', 'g']).ok);
  const released = t.endSession('claude:a', 'SessionEnd');
  assert.deepEqual(released.map((l) => l.key).sort(), ['f', 'g']);
  assert.deepEqual(Object.keys(h.state.leases), []);
  h.clock.now += 60 * 60 * 1000 + 1;
  t = h.tx();
  assert.equal(h.state.sessions['claude:a'], undefined);
});

test('releaseBySession only touches its own leases; forceRelease takes anyone\'s', () => {
  const h = harness();
  const t = h.tx();
  h.session(t, 'claude:a');
  h.session(t, 'codex:b');
  assert.ok(t.acquire('claude:a', ['f']).ok);
  const r = t.releaseBySession('codex:b', ['f']);
  assert.deepEqual(r, { released: [], notHeld: ['f'] });
  assert.ok(h.state.leases.f);
  assert.equal(t.forceRelease('f', 'human:alice')?.session, 'claude:a');
  assert.equal(h.state.leases.f, undefined);
});

test('a table with nothing to do is not marked changed (the store skips the write)', () => {
  const h = harness();
  const t = h.tx();
  assert.equal(t.changed, false);
});
