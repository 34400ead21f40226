// The store setting (lockstep config --store, LOCKSTEP_STORE, config.json, lockstep.store): what is
// accepted, and the one-line reason for what is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayUrl, parseStoreSetting, storeUrlProblem } from '../../src/core/storeUrl';
import { StoreConfig } from '../../src/store/storeConfig';

test('accepted: embedded, redis:// and rediss:// URLs with password, port and database number', () => {
  for (const ok of ['embedded', 'redis://127.0.0.1:6379', 'redis://localhost', 'rediss://:s3cret@redis.example.com:6380/2', 'redis://user:pw@[::1]:7000/0', ' redis://h:1 ']) {
    assert.equal(storeUrlProblem(ok), undefined, ok);
  }
  assert.deepEqual(parseStoreSetting('embedded', 'x'), { kind: 'embedded' });
  assert.deepEqual(parseStoreSetting(' redis://h:1 ', 'x'), { kind: 'redis', url: 'redis://h:1' });
});

test('refused, each with one line naming what is wrong (and never the password)', () => {
  const cases: [string, RegExp][] = [
    ['', /expected a redis:\/\/ or rediss:\/\/ URL, or 'embedded'/],
    ['http://redis.example.com', /expected a redis:\/\/ .*got 'http:\/\/redis\.example\.com'/],
    ['localhost:6379', /expected a redis:\/\//],
    ['redis://', /not a valid URL|names no host/],
    ['redis://h:99999', /not a valid URL|out of range/],
    ['redis://:hunter2@h:notaport', /not a valid URL/],
    ['redis://h:6379/cache', /database number \(got '\/cache'\)/],
    ['redis://h 6379', /no spaces/],
  ];
  for (const [raw, re] of cases) {
    const p = storeUrlProblem(raw);
    assert.ok(p, `${raw} refused`);
    assert.match(p, re, raw);
    assert.ok(!p.includes('\n') && !p.includes('hunter2'), p);
    assert.throws(() => parseStoreSetting(raw, '--store'), (e: Error) => e.message.startsWith('--store: '));
  }
  assert.equal(displayUrl('rediss://:hunter2@h:1/0'), 'rediss://:***@h:1/0');
});

test('config.json takes the same URLs, and names the embedded store by leaving store out', () => {
  assert.ok(StoreConfig.safeParse({ store: 'rediss://:pw@h:1/3' }).success);
  for (const bad of ['embedded', 'redis://h:6379/cache', 'http://h']) assert.equal(StoreConfig.safeParse({ store: bad }).success, false, bad);
});
