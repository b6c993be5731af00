// Fault settings of one sandbox: what share of vendor requests fail and how. The admin
// API changes them at run time; the fault middleware and the webhook sender read them.
import { z } from 'zod';
import { SeededRandom } from './random.js';

export interface FaultSettings {
  /** Share of requests (0..1) answered with errorStatus. */
  errorRate: number;
  errorStatus: number;
  /** Added delay before answering. */
  latencyMs: number;
  latencyJitterMs: number;
  /** RFC 3339: every vendor request 503 until then. */
  outageUntil?: string;
  /** The next `remaining` requests pass, then 429 + Retry-After for retryAfterSeconds; then it lifts. */
  rateLimitBurst?: { remaining: number; retryAfterSeconds: number };
  /** Unsafe-consumption faults, each a share of requests (0..1). */
  malformedRate: number;
  oversizedRate: number;
  redirectRate: number;
  hangRate: number;
  /** Answers 200 at once, then drips the body a few bytes a second (tests body timeouts). */
  slowBodyRate: number;
  /** Size of an oversized body. */
  oversizedBytes: number;
  /** Webhook delivery faults. */
  webhookDuplicateRate: number;
  webhookReorder: boolean;
  /** With webhookReorder: how long sends are collected into one batch delivered in reverse. */
  webhookReorderWindowMs: number;
  /** Only requests whose path starts with this are faulted. */
  paths?: string;
  /**
   * Makes every draw reproducible: with a seed, whether the n-th request of one kind (method and
   * path) is faulted depends only on the seed, the kind and n, not on how concurrent requests
   * interleave. Without one, draws are random.
   */
  seed?: number;
}

export const DEFAULT_FAULTS: Readonly<FaultSettings> = Object.freeze({
  errorRate: 0,
  errorStatus: 500,
  latencyMs: 0,
  latencyJitterMs: 0,
  malformedRate: 0,
  oversizedRate: 0,
  redirectRate: 0,
  hangRate: 0,
  slowBodyRate: 0,
  oversizedBytes: 32 * 1024 * 1024,
  webhookDuplicateRate: 0,
  webhookReorder: false,
  webhookReorderWindowMs: 50,
});

const rate = z.number().min(0).max(1);
/** What PUT /_sandbox/faults accepts: any subset of the settings; null unsets an optional one. */
export const faultSettingsPatch = z
  .object({
    errorRate: rate,
    errorStatus: z.number().int().min(400).max(599),
    latencyMs: z.number().int().min(0).max(600_000),
    latencyJitterMs: z.number().int().min(0).max(600_000),
    outageUntil: z.iso.datetime({ offset: true }).nullable(),
    rateLimitBurst: z
      .object({ remaining: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0).max(86_400) })
      .strict()
      .nullable(),
    malformedRate: rate,
    oversizedRate: rate,
    redirectRate: rate,
    hangRate: rate,
    slowBodyRate: rate,
    oversizedBytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024 * 1024),
    webhookDuplicateRate: rate,
    webhookReorder: z.boolean(),
    webhookReorderWindowMs: z.number().int().min(1).max(60_000),
    paths: z.string().startsWith('/').nullable(),
    seed: z.number().int().min(0).max(0xffffffff).nullable(),
  })
  .partial()
  .strict();

export type FaultSettingsPatch = z.input<typeof faultSettingsPatch>;

export class FaultController {
  private settings: FaultSettings = { ...DEFAULT_FAULTS };
  /** When a drained rate-limit burst started refusing; it lifts retryAfterSeconds later. */
  private throttledSince?: number;
  /** With a seed: how many times each draw key has been drawn. */
  private draws = new Map<string, number>();
  /** Faults answered since the last clear, by `<fault> <method>` (e.g. `error PATCH`). */
  private answered = new Map<string, number>();

  /** Counts one fault answered to a request, so a test can tell its faults were met. */
  noteInjected(fault: string, method: string): void {
    const key = `${fault} ${method}`;
    this.answered.set(key, (this.answered.get(key) ?? 0) + 1);
  }

  injected(): Record<string, number> {
    return Object.fromEntries(this.answered);
  }

  get(): FaultSettings {
    return { ...this.settings, ...(this.settings.rateLimitBurst ? { rateLimitBurst: { ...this.settings.rateLimitBurst } } : {}) };
  }

  /** Merges a partial update; `undefined` or `null` for an optional field unsets it. */
  set(p: Partial<FaultSettings> | FaultSettingsPatch): FaultSettings {
    const next: Record<string, unknown> = { ...this.settings };
    for (const [key, value] of Object.entries(p)) {
      if (value === null || value === undefined) delete next[key];
      else next[key] = value;
    }
    this.settings = next as unknown as FaultSettings;
    if ('rateLimitBurst' in p) this.throttledSince = undefined;
    if ('seed' in p) this.draws.clear();
    return this.get();
  }

  clear(): void {
    this.settings = { ...DEFAULT_FAULTS };
    this.throttledSince = undefined;
    this.draws.clear();
    this.answered.clear();
  }

  /**
   * A number in [0, 1) for one decision about one request or delivery (`key` names both, e.g.
   * `error PATCH /path`). Seeded: the n-th draw of a key is a pure function of seed, key and n.
   */
  draw(key: string): number {
    const seed = this.settings.seed;
    if (seed === undefined) return Math.random();
    const n = (this.draws.get(key) ?? 0) + 1;
    this.draws.set(key, n);
    return new SeededRandom(fnv1a(`${seed}|${key}|${n}`)).next();
  }

  /** True with probability `rate` for this draw; rates of 0 and 1 draw nothing. */
  roll(rate: number, key: string): boolean {
    return rate >= 1 || (rate > 0 && this.draw(key) < rate);
  }

  /** Whether a request to `path` is subject to faults. */
  applies(path: string): boolean {
    return !this.settings.paths || path.startsWith(this.settings.paths);
  }

  /** Seconds of outage left, or 0. */
  outageSecondsLeft(now = Date.now()): number {
    const until = this.settings.outageUntil ? Date.parse(this.settings.outageUntil) : NaN;
    return Number.isFinite(until) && until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /**
   * Consumes one request from the rate-limit burst. Returns the Retry-After seconds when the
   * request must be refused, else undefined. Once the wait has passed, the limit lifts.
   */
  takeRateLimit(now = Date.now()): number | undefined {
    const burst = this.settings.rateLimitBurst;
    if (!burst) return undefined;
    if (burst.remaining > 0) {
      burst.remaining -= 1;
      return undefined;
    }
    this.throttledSince ??= now;
    const left = this.throttledSince + burst.retryAfterSeconds * 1000 - now;
    if (left <= 0) {
      delete this.settings.rateLimitBurst;
      this.throttledSince = undefined;
      return undefined;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }
}

/** FNV-1a, 32 bits: spreads a draw key over the seed space of the generator. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
