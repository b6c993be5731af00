// What every connector shares: the platform HTTP client, OAuth client credentials, the platform client and its retries.
export { PlatformClient } from './http-client.js';
export type { Platform, PlatformClientOptions, PlatformRequest, PlatformResponse } from './http-client.js';
export { ClientCredentialsToken } from './oauth.js';
export type { ClientCredentialsOptions } from './oauth.js';
export { parseRetryAfter, backoffMs } from './retry-after.js';
export { probeRead } from './probe.js';
export type { ProbeAnswer } from './probe.js';
export { recordLinksOf } from './record-links.js';
export type { RecordLink } from './record-links.js';
