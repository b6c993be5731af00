// Durable core settings: database, idempotency retention, event delivery, API usage records.
import { z } from 'zod';
import { read, positiveInt, bool, type Env } from './parse.js';

export interface StoreConfig {
  /** `postgres://…` for PostgreSQL; `sqlite:<path>` or unset for the embedded SQLite file. */
  databaseUrl?: string;
  databasePoolMax: number;
  idempotencyRetentionHours: number;
  /** How long an in-flight Idempotency-Key stays locked before another request may take it over (crashed owner). */
  idempotencyLockSeconds: number;
  /** Development only: allow webhook subscriptions to loopback/private addresses. */
  webhookAllowPrivateUrls: boolean;
  /** Days of per-consumer API usage kept (the governance board's consumer impact reads 30). */
  usageRetentionDays: number;
  /** How often the gateway adds its buffered usage counts to the store. */
  usageFlushIntervalMs: number;
}

export function storeConfig(env: Env): StoreConfig {
  return {
    databaseUrl: read(
      env,
      'DATABASE_URL',
      z
        .string()
        .regex(/^(postgres(ql)?:\/\/.+|sqlite:.+)$/, 'must start with postgres:// or sqlite:')
        .optional(),
    ),
    databasePoolMax: read(env, 'DATABASE_POOL_MAX', positiveInt.default(10)),
    idempotencyRetentionHours: read(env, 'IDEMPOTENCY_RETENTION_HOURS', positiveInt.default(24)),
    idempotencyLockSeconds: read(env, 'IDEMPOTENCY_LOCK_SECONDS', positiveInt.default(60)),
    webhookAllowPrivateUrls: read(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', bool.default(false)),
    usageRetentionDays: read(env, 'USAGE_RETENTION_DAYS', positiveInt.default(400)),
    usageFlushIntervalMs: read(env, 'USAGE_FLUSH_INTERVAL_MS', positiveInt.default(5000)),
  };
}
