// What every sandbox shares: app factory, listener, faults, webhooks, seeded randomness.
export { createSandboxApp, SEED } from './app.js';
export type { SandboxApp, SandboxContext, SandboxDefinition, SandboxPlatform, SeedSize } from './app.js';
export { listen } from './server.js';
export type { RunningSandbox } from './server.js';
export { FaultController, DEFAULT_FAULTS } from './faults.js';
export type { FaultSettings } from './faults.js';
export { WebhookSender, signWebhook, webhookKey } from './webhooks.js';
export type { WebhookDeliveryRecord } from './webhooks.js';
export { SeededRandom } from './random.js';
