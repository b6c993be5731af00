// A downstream platform stand-in for the fault tests: it applies one effect per
// Idempotency-Key (a repeated key gets the first effect back) and counts requests apart
// from effects, so a test can tell "sent twice" (allowed) from "done twice" (not allowed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../../core/resilience/backoff.js';

export interface DownstreamOptions {
  seed: number;
  /** Delay before and after applying the effect, ms range: widens the window a kill can hit. */
  delayMs?: [number, number];
  /** Share of calls answered 500 (half before the effect, half after it: a lost response). */
  failureRate?: number;
  /** Share of calls answered 429 with Retry-After: 1. */
  throttleRate?: number;
}

export interface Downstream {
  url: string;
  requests: Map<string, number>;
  effects: Map<string, string>;
  /** How many times an effect was applied per key (must stay 1). */
  applied: Map<string, number>;
  statuses: Map<number, number>;
  close(): Promise<void>;
}

export async function startDownstream(options: DownstreamOptions): Promise<Downstream> {
  const random = seededRandom(options.seed);
  const [lo, hi] = options.delayMs ?? [0, 0];
  // Simulated latency of the stand-in downstream, not a wait for something to happen.
  const pause = () => new Promise((r) => setTimeout(r, lo + Math.floor(random() * (hi - lo + 1))));
  const requests = new Map<string, number>();
  const effects = new Map<string, string>();
  const applied = new Map<string, number>();
  const statuses = new Map<number, number>();
  let nextEffect = 1;
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      void (async () => {
        const key = String(req.headers['idempotency-key'] ?? '');
        if (!key) return answer(res, 400, { error: 'Idempotency-Key required' });
        requests.set(key, (requests.get(key) ?? 0) + 1);
        const roll = random();
        const failure = options.failureRate ?? 0;
        const throttle = options.throttleRate ?? 0;
        if (roll < throttle) return answer(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
        await pause();
        if (roll < throttle + failure / 2) return answer(res, 500, { error: 'failed before the effect' });
        if (!effects.has(key)) {
          effects.set(key, `effect-${nextEffect++}`);
          applied.set(key, (applied.get(key) ?? 0) + 1);
        }
        await pause();
        if (roll < throttle + failure) return answer(res, 500, { error: 'failed after the effect' });
        answer(res, 200, { effectId: effects.get(key) });
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/effects`,
    requests,
    effects,
    applied,
    statuses,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
