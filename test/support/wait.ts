/** Polls until `fn` returns something truthy (sync or async), or fails naming what it waited for.
 *  With `retryErrors`, a throw counts as "not yet" and the last one is named on timeout (a peer that
 *  is restarting answers with errors for a while). */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000, o: { everyMs?: number; retryErrors?: boolean } = {}): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (!o.retryErrors) throw e;
      lastError = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}
