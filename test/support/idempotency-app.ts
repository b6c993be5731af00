// A tiny express app around the idempotency middleware, for the idempotency middleware tests (core/idempotency):
// real HTTP on port 0, the real store, a handler that counts its side effects and can be
// held at a gate (to keep a request in flight) or made to fail.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { pino } from 'pino';
import { PROBLEM_CONTENT_TYPE, ProblemError, toProblemResponse } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import { idempotency } from '../../core/idempotency/middleware.js';
import '../../core/http/context.js';

export interface OrderBody {
  item?: string;
  /** Answer with this status instead of 201. */
  status?: number;
  /** Throw (→ 500) the first N times this tag is handled. */
  failTimes?: number;
  tag?: string;
  /** Milliseconds the handler spends "working" (only widens race windows; nothing asserts on time). */
  workMs?: number;
}

export interface TestApp {
  url: string;
  /** Side effects the handler performed (orders created). */
  effects(): number;
  /** Current time as the middleware sees it; tests move it forward. */
  clock: { now: number };
  /** Resolves when a request has reached the handler at this gate. */
  entered(gate: string): Promise<void>;
  open(gate: string): void;
  close(): Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export async function startTestApp(store: Store, options: { lockSeconds?: number; retentionHours?: number } = {}): Promise<TestApp> {
  const clock = { now: Date.now() };
  let effects = 0;
  const failures = new Map<string, number>();
  const gates = new Map<string, { entered: ReturnType<typeof deferred>; open: ReturnType<typeof deferred> }>();
  const gate = (name: string) => {
    let g = gates.get(name);
    if (!g) gates.set(name, (g = { entered: deferred(), open: deferred() }));
    return g;
  };
  const logger = pino({ level: 'silent' });

  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    req.requestId = 'test-request';
    req.log = logger;
    req.auth = { consumer: req.get('x-test-consumer') ?? 'consumer-a', scopes: new Set(), claims: {} };
    next();
  });
  const guard = idempotency({ store, required: true, now: () => clock.now, logger, ...options });
  app.post('/orders', guard, async (req, res) => {
    const body = (req.body ?? {}) as OrderBody;
    if (body.status === 400) throw new ProblemError('validation-failed', { detail: 'item is required' });
    if (body.status === 422) throw new ProblemError('business-rule-violation', { detail: 'billing hold' });
    if (body.failTimes !== undefined && body.tag) {
      const seen = failures.get(body.tag) ?? 0;
      failures.set(body.tag, seen + 1);
      if (seen < body.failTimes) throw new Error('downstream exploded');
    }
    const orderNumber = ++effects;
    // The gate comes in a header so that it is not part of the request fingerprint.
    const gateName = req.get('x-test-gate');
    if (gateName) {
      const g = gate(gateName);
      g.entered.resolve();
      await g.open.promise;
    }
    if (body.workMs) await new Promise((r) => setTimeout(r, body.workMs));
    res
      .status(201)
      .location(`/orders/${orderNumber}`)
      .json({ orderNumber, item: body.item ?? null });
  });
  app.post('/optional', idempotency({ store, required: false, now: () => clock.now, logger }), (_req, res) => {
    res.status(201).json({ orderNumber: ++effects });
  });
  const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
    const problem = toProblemResponse(err, { requestId: req.requestId, instance: req.originalUrl });
    res.status(problem.status).set(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body));
  };
  app.use(errorHandler);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    effects: () => effects,
    clock,
    entered: (name) => gate(name).entered.promise,
    open: (name) => gate(name).open.resolve(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * POSTs JSON with an Idempotency-Key (already in Structured Field form, e.g. `"k1"`), as
 * `consumer`, held in the handler at `gate` until the test opens it.
 */
export async function post(
  app: TestApp,
  path: string,
  key: string | undefined,
  body: unknown,
  options: { consumer?: string; gate?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  if (options.consumer) headers['x-test-consumer'] = options.consumer;
  if (options.gate) headers['x-test-gate'] = options.gate;
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
