// A timer that purges expired Idempotency-Key records, for the composition root to start.
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import { purgeExpiredIdempotencyKeys } from './records.js';

/** Purges every `intervalMs` (default hourly); returns a stop function. The timer never keeps the process alive. */
export function startIdempotencyPurge(store: Store, options: { intervalMs?: number; logger?: Logger } = {}): () => void {
  const timer = setInterval(() => {
    purgeExpiredIdempotencyKeys(store).then(
      (deleted) => {
        if (deleted > 0) options.logger?.info({ deleted }, 'idempotency: purged expired keys');
      },
      (error: unknown) => options.logger?.error({ err: error }, 'idempotency: purge failed'),
    );
  }, options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
