// Inbound platform webhooks: verified, recorded by (source, webhook-id), processed once.
//
// Wiring (composition root):
//   const processor = new InboxProcessor({ store, onEvent: (msg, { trx }) => … });
//   app.use('/webhooks', inboxRouter({ store, sources: { crm: { secret } }, processor }));
//   processor.start();   … on shutdown: await processor.stop();
export {
  verifyAndRecord,
  recordInboxMessage,
  listRejections,
  type InboundWebhook,
  type InboxEntry,
  type RecordOutcome,
  type Rejection,
} from './record.js';
export { InboxProcessor, requeueInboxMessage, type InboxMessage, type InboxHandler, type InboxProcessorOptions } from './processor.js';
export { inboxRouter, type InboxRouterOptions, type InboxSource } from './router.js';
export type * from './schema.js';
