// Catch-up change capture: durable cursors per platform feed and a poller that records what a
// feed returns into the inbox exactly once. See README.md.
export {
  ChangePoller,
  type ChangeFeed,
  type ChangePage,
  type CapturedChange,
  type ChangePollerOptions,
  type PollOutcome,
} from './poller.js';
export { readCursor, listCursors, moveCursor, type ChangeCursor, type CursorMove } from './cursors.js';
export { platformOfStream, promChangeCaptureMetrics, sampleCursorFreshness, type ChangeCaptureMetrics } from './metrics.js';
export type * from './schema.js';
