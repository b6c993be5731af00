// The middleware configured from the infrastructure, so that every route uses the
// configured retention and lock instead of repeating them.
import type { RequestHandler } from 'express';
import type { Infra } from '../api-module.js';
import { idempotency } from './middleware.js';

/** `router.post('/x', idempotencyFor(infra), handler)`; `required: false` for operations where the key is optional. */
export function idempotencyFor(infra: Pick<Infra, 'store' | 'config'>, options: { required?: boolean } = {}): RequestHandler {
  return idempotency({
    store: infra.store,
    required: options.required ?? true,
    retentionHours: infra.config.store.idempotencyRetentionHours,
    lockSeconds: infra.config.store.idempotencyLockSeconds,
  });
}
