// Idempotency-Key middleware for unsafe operations, and the purge of expired keys.
export { idempotency, isStoredOutcome, REPLAYED_HEADERS, ANONYMOUS_CONSUMER } from './middleware.js';
export type { IdempotencyOptions } from './middleware.js';
export { idempotencyFor } from './for-infra.js';
export { purgeExpiredIdempotencyKeys } from './records.js';
export { startIdempotencyPurge } from './purge.js';
export { parseIdempotencyKey } from './header.js';
export { requestFingerprint, canonicalJson } from './fingerprint.js';
export type { IdempotencyKeysTable } from './schema.js';
