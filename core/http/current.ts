// The request being served, carried across awaits (AsyncLocalStorage), so that outbound
// clients deep in a call chain propagate the trace without it being threaded by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from './context.js';
import { formatTraceparent, newSpanId } from './trace.js';

export interface CurrentRequest {
  requestId: string;
  trace: TraceContext;
}

export const currentRequest = new AsyncLocalStorage<CurrentRequest>();

/** The traceparent for an outbound call made now: this request's trace id with a new span id. */
export function outboundTraceparent(): string | undefined {
  const current = currentRequest.getStore();
  if (!current) return undefined;
  return formatTraceparent({ ...current.trace, spanId: newSpanId() });
}
