// Polls what a person would see until it satisfies `ok`; on timeout, fails naming what was awaited
// and the last thing seen. Every wait in the harness and the end-to-end tests goes through here.
export async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? `error: ${lastErr instanceof Error ? lastErr.message.split('\n')[0] : String(lastErr)}` : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
