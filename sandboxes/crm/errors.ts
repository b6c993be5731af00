// Salesforce error answers: an array of {message, errorCode, fields}.
import type { Response } from 'express';
import { SfRecordError, type SfErrorEntry } from './records.js';

export function sendErrors(res: Response, status: number, entries: SfErrorEntry[]): void {
  res.status(status).json(entries);
}

export function sendError(res: Response, status: number, errorCode: string, message: string, fields: string[] = []): void {
  sendErrors(res, status, [{ message, errorCode, fields }]);
}

/** Runs a handler body, turning record errors into their vendor answer. */
export function answer(res: Response, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof SfRecordError) return sendErrors(res, err.status, err.entries);
    throw err;
  }
}

/** The vendor body for injected faults and kit-level errors. */
export function crmFaultBody(status: number, message: string): unknown {
  const errorCode =
    status === 401
      ? 'INVALID_SESSION_ID'
      : status === 403 || status === 429
        ? 'REQUEST_LIMIT_EXCEEDED'
        : status === 404
          ? 'NOT_FOUND'
          : status === 400 || status === 413
            ? 'JSON_PARSER_ERROR'
            : status === 503
              ? 'SERVER_UNAVAILABLE'
              : 'UNKNOWN_EXCEPTION';
  return [{ message, errorCode }];
}
