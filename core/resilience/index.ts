// Retry, backoff, refusal and circuit-breaker helpers shared by workflows, webhook delivery and connectors.
export * from './backoff.js';
export * from './errors.js';
export * from './breakers.js';
export * from './poll-loop.js';
export * from './refusals.js';
