// `lockstep run` waits thousands of times on one AbortSignal: each wait must take its abort listener
// away again (else Node warns MaxListenersExceededWarning after ~10 s of a run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { waitOrAbort } from '../../src/scheduler/planRunner';

test('waitOrAbort leaves no abort listener behind when the wait ends first', async () => {
  const abort = new AbortController();
  for (let i = 0; i < 50; i++) await waitOrAbort(Promise.resolve(), abort.signal);
  assert.equal(getEventListeners(abort.signal, 'abort').length, 0);
});

test('waitOrAbort ends at the abort when the wait would go on', async () => {
  const abort = new AbortController();
  const forever = new Promise<void>(() => undefined);
  const waited = waitOrAbort(forever, abort.signal);
  abort.abort();
  await waited;
  assert.equal(abort.signal.aborted, true);
});
