// JSON over HTTP for the demo, and the record of each step it takes: what it did, on which
// side (a person on a platform, or the layer), how long it took, and the problem if it failed.

export class DemoError extends Error {
  constructor(
    message: string,
    readonly problem?: unknown,
  ) {
    super(message);
    this.name = 'DemoError';
  }
}

export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** One HTTP call; a non-2xx answer (or one not in `ok`) throws with the body, e.g. the problem details. */
export async function requestJson<T>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; form?: Record<string, string>; ok?: number[] } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const method = init.method ?? 'GET';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new DemoError(`${method} ${url} did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the error message.
  }
  const accepted = init.ok ?? [];
  if (!res.ok && !accepted.includes(res.status)) throw new DemoError(`${method} ${url} answered ${res.status}`, parsed);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Polls until `done` holds, or fails naming what it waited for and what it saw last. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new DemoError(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}.`, value);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface StepRecord {
  step: string;
  actor: string;
  ms: number;
  outcome: string;
  ok: boolean;
  problem?: unknown;
}

/** Runs the steps in order, printing each as it finishes; the first failure stops the story. */
export class StepLog {
  readonly steps: StepRecord[] = [];

  constructor(private readonly print: (line: string) => void) {}

  async run<T>(step: string, actor: string, action: () => Promise<{ value: T; outcome: string }>): Promise<T> {
    const started = performance.now();
    try {
      const { value, outcome } = await action();
      const record: StepRecord = { step, actor, ms: performance.now() - started, outcome, ok: true };
      this.steps.push(record);
      this.print(`  ✔ ${step.padEnd(28)} ${formatMs(record.ms).padStart(8)}  ${actor}: ${outcome}`);
      return value;
    } catch (err) {
      const problem = err instanceof DemoError ? err.problem : undefined;
      const record: StepRecord = {
        step,
        actor,
        ms: performance.now() - started,
        outcome: err instanceof Error ? err.message : String(err),
        ok: false,
        problem,
      };
      this.steps.push(record);
      this.print(`  ✘ ${step.padEnd(28)} ${formatMs(record.ms).padStart(8)}  ${actor}: ${record.outcome}`);
      if (problem !== undefined) this.print(`    ${JSON.stringify(problem, null, 2).split('\n').join('\n    ')}`);
      throw err;
    }
  }

  summary(): string {
    const rows = this.steps.map(
      (s, i) =>
        `  ${String(i + 1).padStart(2)}  ${(s.ok ? 'ok' : 'FAIL').padEnd(6)}  ${s.step.padEnd(28)} ${s.actor.padEnd(30)} ${formatMs(s.ms).padStart(8)}`,
    );
    const total = this.steps.reduce((sum, s) => sum + s.ms, 0);
    return [
      `   #  result  ${'step'.padEnd(28)} ${'who'.padEnd(30)} ${'latency'.padStart(8)}`,
      ...rows,
      `          ${'total'.padEnd(28)} ${''.padEnd(30)} ${formatMs(total).padStart(8)}`,
    ].join('\n');
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
