// API usage per consumer and operation: recorded by the gateway, read by operations and governance.
export * from './recorder.js';
export * from './queries.js';
