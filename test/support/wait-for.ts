// The one way tests wait for something to happen: poll a probe until its value is what the
// test waits for, bounded by a deadline that fails the test saying what never happened.

export interface WaitForOptions<T> {
  /** When the probe's value is the one waited for; default: truthy. */
  until?: (value: T) => boolean;
  /** What is waited for, for the error on timeout. */
  what?: string;
  /** Default 30 s: generous, because the machine running the tests may be loaded. */
  timeoutMs?: number;
  /** Pause between probes; default 25 ms. */
  intervalMs?: number;
}

/** Resolves with the first probe value that satisfies `until`; rejects after `timeoutMs` with the last value seen. */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitForOptions<T> = {}): Promise<T> {
  const { until = (value: T) => Boolean(value), what = 'a condition', timeoutMs = 30_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (until(value)) return value;
    if (Date.now() > deadline) {
      const last = JSON.stringify(value) ?? String(value);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last.slice(0, 2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
