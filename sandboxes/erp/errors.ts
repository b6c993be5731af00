// NetSuite REST web services error bodies: an RFC 9457-style object whose details sit in
// `o:errorDetails`, each with a machine-friendly `o:errorCode` and optional JSON path.
import type { Response } from 'express';
import type { NsError, NsErrorDetail } from './vendor-types.js';

const SECTIONS: Record<number, { section: string; title: string }> = {
  400: { section: '15.5.1', title: 'Bad Request' },
  401: { section: '15.5.2', title: 'Unauthorized' },
  403: { section: '15.5.4', title: 'Forbidden' },
  404: { section: '15.5.5', title: 'Not Found' },
  405: { section: '15.5.6', title: 'Method Not Allowed' },
  409: { section: '15.5.10', title: 'Conflict' },
  415: { section: '15.5.16', title: 'Unsupported Media Type' },
  429: { section: '15.5.29', title: 'Too Many Requests' },
  500: { section: '15.6.1', title: 'Internal Server Error' },
  502: { section: '15.6.3', title: 'Bad Gateway' },
  503: { section: '15.6.4', title: 'Service Unavailable' },
  504: { section: '15.6.5', title: 'Gateway Timeout' },
};

export function nsErrorBody(status: number, code: string, detail: string, extra: Partial<NsErrorDetail> = {}): NsError {
  const known = SECTIONS[status] ?? { section: '15.6.1', title: 'Error' };
  return {
    type: `https://www.rfc-editor.org/rfc/rfc9110.html#section-${known.section}`,
    title: known.title,
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': code, ...extra }],
  };
}

/** Thrown by route logic; the sandbox's error handler writes it in NetSuite's shape. */
export class NsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extra: Partial<NsErrorDetail> = {},
  ) {
    super(detail);
  }
}

export function sendNsError(res: Response, status: number, code: string, detail: string, extra: Partial<NsErrorDetail> = {}): void {
  res
    .status(status)
    .type('application/vnd.oracle.resource+json; type=error')
    .json(nsErrorBody(status, code, detail, extra));
}

export const notFound = (type: string, id: string) =>
  new NsFault(404, 'NONEXISTENT_ID', `The record instance does not exist. Provide a valid record instance ID. (${type} ${id})`);

export const invalidField = (path: string, detail?: string) =>
  new NsFault(400, 'USER_ERROR', detail ?? `Invalid value for the resource or sub-resource field '${path}'. Provide a valid value.`, {
    'o:errorPath': path,
  });
