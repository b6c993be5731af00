// Float's two request budgets, kept by the connector: 200 GET and 100 other requests a minute
// per company. Each attempt waits for its budget before it is sent, each answer's rate headers
// correct the count, and a 429 empties the budget until its Retry-After has passed.
import { parseRetryAfter } from '../kit/index.js';

export type RequestKind = 'read' | 'write';

export interface RateLimits {
  /** GET requests per window. Default 200 (Float's documented budget). */
  reads: number;
  /** Every other method per window. Default 100. */
  writes: number;
  windowMs: number;
}

export const FLOAT_RATE_LIMITS: RateLimits = { reads: 200, writes: 100, windowMs: 60_000 };

export interface BudgetSnapshot {
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms); 0 before the first request. */
  resetAtMs: number;
}

/** Margin after a window's end before the next one is used: the platform's clock and ours differ a little. */
const RESET_MARGIN_MS = 50;

export const kindOf = (method: string): RequestKind => (method === 'GET' || method === 'HEAD' ? 'read' : 'write');

/** First of the header spellings that is a non-negative number. */
function numberHeader(headers: Record<string, string>, names: string[]): number | undefined {
  for (const name of names) {
    const n = Number(headers[name]);
    if (headers[name] !== undefined && Number.isFinite(n) && n >= 0) return n;
  }
  return undefined;
}

class Budget {
  limit: number;
  remaining: number;
  resetAtMs = 0;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.limit = limit;
    this.remaining = limit;
  }

  /** Resolves when one request may be sent; takers are served in the order they asked. */
  take(): Promise<void> {
    const mine = this.turn.then(() => this.acquire());
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now >= this.resetAtMs) {
        // A new window: ours starts now; the platform's reset header, once read, corrects it.
        this.remaining = this.limit;
        this.resetAtMs = now + this.windowMs;
      }
      if (this.remaining > 0) {
        this.remaining -= 1;
        return;
      }
      // Until the window ends (an answer's reset header may move that while we wait).
      await new Promise((r) => setTimeout(r, this.resetAtMs - now + RESET_MARGIN_MS));
    }
  }

  observe(status: number, headers: Record<string, string>): void {
    const now = this.now();
    const limit = numberHeader(headers, ['x-ratelimit-limit', 'ratelimit-limit', 'x-ratelimit-limit-minute']);
    if (limit !== undefined && limit > 0) this.limit = limit;
    const remaining = numberHeader(headers, ['x-ratelimit-remaining', 'ratelimit-remaining', 'x-ratelimit-remaining-minute']);
    // Answers arrive out of order and the platform counts other callers too: never believe in more than we counted.
    if (remaining !== undefined) this.remaining = Math.min(this.remaining, remaining);
    const reset = numberHeader(headers, ['x-ratelimit-reset', 'ratelimit-reset']);
    if (reset !== undefined) {
      // Epoch seconds (Float's X-RateLimit-Reset) or seconds from now (the RateLimit-Reset spelling).
      const at = reset > 1_000_000_000 ? reset * 1000 : now + reset * 1000;
      // The platform's window, not ours, decides when the budget is back (a stale answer's past reset is ignored).
      if (at > now && at <= now + 2 * this.windowMs) this.resetAtMs = at;
    }
    if (status === 429) {
      this.remaining = 0;
      const wait = parseRetryAfter(headers['retry-after'], now);
      this.resetAtMs = now + (wait ?? this.windowMs);
    }
  }

  snapshot(): BudgetSnapshot {
    const fresh = this.now() >= this.resetAtMs;
    return { limit: this.limit, remaining: fresh ? this.limit : this.remaining, resetAtMs: this.resetAtMs };
  }
}

/** The connector's pacer: one budget for reads, one for writes. */
export class RateBudgets {
  private readonly budgets: Record<RequestKind, Budget>;

  constructor(limits: Partial<RateLimits> = {}, now: () => number = Date.now) {
    const l = { ...FLOAT_RATE_LIMITS, ...limits };
    this.budgets = { read: new Budget(l.reads, l.windowMs, now), write: new Budget(l.writes, l.windowMs, now) };
  }

  before(method: string): Promise<void> {
    return this.budgets[kindOf(method)].take();
  }

  after(method: string, status: number, headers: Record<string, string>): void {
    this.budgets[kindOf(method)].observe(status, headers);
  }

  snapshot(): Record<RequestKind, BudgetSnapshot> {
    return { read: this.budgets.read.snapshot(), write: this.budgets.write.snapshot() };
  }
}
