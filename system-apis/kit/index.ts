// What every connector shares: the platform HTTP client, OAuth client credentials, paging helpers.
export { PlatformClient } from './http-client.js';
export type { Platform, PlatformClientOptions, PlatformRequest, PlatformResponse } from './http-client.js';
export { ClientCredentialsToken } from './oauth.js';
export type { ClientCredentialsOptions } from './oauth.js';
export { clampLimit, decodeCursor, encodeCursor } from './paging.js';
export { parseRetryAfter, backoffMs } from './retry-after.js';
