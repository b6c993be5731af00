// First step of the pipeline: the request id (a sane X-Request-Id is kept, else a new one)
// and the W3C trace context (a valid trace id is kept with a new span id; an invalid
// header starts a new trace). Both are echoed on the response and kept for outbound calls.
import type { RequestHandler } from 'express';
import { currentRequest } from '../core/http/current.js';
import { acceptOrCreateRequestId } from '../core/http/request-id.js';
import { continueTrace, formatTraceparent } from '../core/http/trace.js';

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    req.requestId = acceptOrCreateRequestId(req.headers['x-request-id']);
    req.trace = continueTrace(req.headers.traceparent);
    res.setHeader('X-Request-Id', req.requestId);
    res.setHeader('traceparent', formatTraceparent(req.trace));
    // Everything downstream (handlers, connectors) can read the trace without it being passed along.
    currentRequest.run({ requestId: req.requestId, trace: req.trace }, next);
  };
}
