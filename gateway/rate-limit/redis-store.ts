// The shared rate-limit count in Redis (rate-limit-redis), wrapped to fail open: when Redis
// is down or slow, the request is let through uncounted, the error is logged and counted
// in gateway_rate_limit_store_errors_total, and the store re-loads its scripts once Redis
// is back. Refusing every request because the limiter's store is down would turn a Redis
// outage into a full outage of the layer; a short unlimited window is the lesser harm.
import { RedisStore } from 'rate-limit-redis';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Logger } from '../../core/observability/logger.js';
import type { HttpMetrics } from '../../core/observability/metrics.js';
import type { GatewayRedis } from '../redis.js';

export class FailOpenRedisStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly inner: RedisStore;
  private options?: Options;
  private needsInit = false;

  constructor(
    redis: GatewayRedis,
    prefix: string,
    private readonly limiterName: string,
    private readonly logger: Logger,
    private readonly metrics: HttpMetrics,
  ) {
    this.prefix = prefix;
    this.inner = new RedisStore({ prefix, sendCommand: (...args: string[]) => redis.command(args) });
  }

  async init(options: Options): Promise<void> {
    this.options = options;
    try {
      await this.inner.init(options);
    } catch (err) {
      // Redis down at start-up: the scripts are loaded on the first call once it is back.
      this.needsInit = true;
      this.logger.warn({ err: String(err), limiter: this.limiterName }, 'rate-limit store not ready; failing open until Redis answers');
    }
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      if (this.needsInit && this.options) {
        await this.inner.init(this.options);
        this.needsInit = false;
      }
      return await operation();
    } catch (err) {
      this.needsInit = true;
      this.metrics.rateLimitStoreErrors.inc({ limiter: this.limiterName });
      this.logger.error({ err: String(err), limiter: this.limiterName }, 'rate-limit store error; request let through uncounted');
      throw err; // express-rate-limit's passOnStoreError lets the request through
    }
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.guard(() => this.inner.increment(key));
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.guard(() => this.inner.get(key));
  }

  decrement(key: string): Promise<void> {
    return this.guard(() => this.inner.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    return this.guard(() => this.inner.resetKey(key));
  }
}
