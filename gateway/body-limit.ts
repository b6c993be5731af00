// Body size limit and JSON parsing. A declared Content-Length over the limit is refused
// before anything is read, whatever the media type; chunked JSON bodies are cut off by the
// parser at the same limit. Both become 413 problems; unparseable JSON becomes a 400 problem.
import express, { type RequestHandler } from 'express';
import { ProblemError } from '../core/problems.js';

export function bodyLimit(limitBytes: number): RequestHandler[] {
  const declared: RequestHandler = (req, _res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > limitBytes) {
      throw new ProblemError('payload-too-large', {
        detail: `The request body is larger than the ${limitBytes} bytes this gateway accepts.`,
      });
    }
    next();
  };
  return [declared, express.json({ limit: limitBytes, type: ['application/json', 'application/*+json'], strict: true })];
}
