// W3C Trace Context (traceparent) parsing and formatting, shared by the gateway and by
// every outbound client that propagates the trace to the next hop.
import { randomFillSync } from 'node:crypto';
import type { TraceContext } from './context.js';

// version-traceid-parentid-flags, lowercase hex only (W3C Trace Context §3.2).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO_TRACE = '0'.repeat(32);
const ALL_ZERO_SPAN = '0'.repeat(16);

export interface ParsedTraceparent {
  traceId: string;
  parentId: string;
  flags: string;
}

/** Returns the parsed header, or undefined when it is absent or invalid (an invalid header is ignored, never a 400). */
export function parseTraceparent(header: string | string[] | undefined): ParsedTraceparent | undefined {
  if (typeof header !== 'string') return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, parentId, flags] = m;
  // Version ff is forbidden; ids of all zeros are invalid.
  if (version === 'ff' || traceId === ALL_ZERO_TRACE || parentId === ALL_ZERO_SPAN) return undefined;
  // Version 00 has exactly four fields; the regex already enforces that.
  return { traceId, parentId, flags };
}

// Ids are cut from a pool refilled 4 KiB at a time: one CSPRNG call per few hundred ids
// instead of one or two per request.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** Random bytes as lowercase hex, from the shared CSPRNG pool (also used for request ids). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export function newTraceId(): string {
  const id = randomHex(16);
  return id === ALL_ZERO_TRACE ? newTraceId() : id;
}

export function newSpanId(): string {
  const id = randomHex(8);
  return id === ALL_ZERO_SPAN ? newSpanId() : id;
}

/** This hop's trace context: the inbound trace id when valid (with a new span id), else a new trace. */
export function continueTrace(header: string | string[] | undefined): TraceContext {
  const parent = parseTraceparent(header);
  if (parent) return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags };
  return { traceId: newTraceId(), spanId: newSpanId(), flags: '01' };
}

/** The traceparent header for a call made (or an answer given) by this hop. */
export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}
