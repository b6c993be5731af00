// The middleware configured from the services object, so that every route uses the
// configured retention and lock instead of repeating them.
import type { RequestHandler } from 'express';
import type { Services } from '../services.js';
import { idempotency } from './middleware.js';

/** `router.post('/x', idempotencyFor(services), handler)`; `required: false` for operations where the key is optional. */
export function idempotencyFor(services: Pick<Services, 'store' | 'config'>, options: { required?: boolean } = {}): RequestHandler {
  return idempotency({
    store: services.store,
    required: options.required ?? true,
    retentionHours: services.config.store.idempotencyRetentionHours,
    lockSeconds: services.config.store.idempotencyLockSeconds,
  });
}
