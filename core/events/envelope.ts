// Business events as CloudEvents 1.0: the envelope is built and validated by the
// `cloudevents` package; ids are UUIDv7 so they sort by time; `time` is RFC 3339 UTC.
import { CloudEvent } from 'cloudevents';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '../problems.js';

export interface NewEvent<T = unknown> {
  /** Reverse-DNS style type, e.g. `process.opportunity-to-project.run.completed`. */
  type: string;
  /** URI reference naming the producer, e.g. `/process/opportunity-to-project`. */
  source: string;
  subject?: string;
  data?: T;
  /** Defaults to a new UUIDv7; `source` + `id` must be unique. */
  id?: string;
  /** Defaults to now. */
  time?: Date;
}

/** A CloudEvent in structured JSON form, as stored in the outbox and sent to webhooks. */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype?: string;
  data?: T;
}

/** An event as handed to subscribers: the envelope plus its outbox sequence number. */
export interface DeliveredEvent<T = unknown> extends EventEnvelope<T> {
  seq: number;
}

export function buildEnvelope<T>(event: NewEvent<T>): EventEnvelope<T> {
  try {
    const ce = new CloudEvent<T>({
      specversion: '1.0',
      id: event.id ?? uuidv7(),
      source: event.source,
      type: event.type,
      time: (event.time ?? new Date()).toISOString(),
      ...(event.subject !== undefined ? { subject: event.subject } : {}),
      ...(event.data !== undefined ? { datacontenttype: 'application/json', data: event.data } : {}),
    });
    return ce.toJSON() as unknown as EventEnvelope<T>;
  } catch (err) {
    throw new ProblemError('validation-failed', {
      detail: `Not a valid CloudEvent: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
}

/**
 * The layer's own operational events (its alerts): internal details a partner's `*` or
 * `com.psconnect.*` subscription must not receive. Only a pattern that names them matches them.
 */
export const OPERATIONAL_EVENT_PREFIX = 'com.psconnect.layer.';

/**
 * Compiles type patterns: `*` alone matches all business events; a trailing `.*` matches a
 * prefix; else exact. Operational events match only patterns within their own prefix.
 */
export function typeMatcher(patterns: readonly string[]): (type: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('.*') && p !== '*'));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  const all = patterns.includes('*');
  return (type) => {
    if (exact.has(type)) return true;
    const operational = type.startsWith(OPERATIONAL_EVENT_PREFIX);
    if (all && !operational) return true;
    return prefixes.some((p) => type.startsWith(p) && (!operational || p.startsWith(OPERATIONAL_EVENT_PREFIX)));
  };
}
