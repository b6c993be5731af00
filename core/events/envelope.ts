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

/** Compiles type patterns: `*` alone matches all; a trailing `.*` matches a prefix; else exact. */
export function typeMatcher(patterns: readonly string[]): (type: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.endsWith('.*')));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}
