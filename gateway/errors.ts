// The last steps of the pipeline: 404 for unknown routes, 405 with Allow for known paths,
// and the error handler that turns every error into RFC 9457 problem details.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { PROBLEM_CONTENT_TYPE, ProblemError, toProblemResponse, type FieldError } from '../core/problems.js';

export function notFound(): RequestHandler {
  return (req) => {
    throw new ProblemError('not-found', { detail: `No route answers ${req.method} ${req.path}.` });
  };
}

export function methodNotAllowed(allowed: string[]): RequestHandler {
  const allow = [...new Set([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])])].join(', ');
  return (req) => {
    throw new ProblemError('method-not-allowed', { detail: `${req.method} is not allowed here; use ${allow}.`, headers: { Allow: allow } });
  };
}

interface ValidatorError {
  status: number;
  message?: string;
  headers?: Record<string, string>;
  errors?: Array<{ path?: string; message?: string }>;
}

interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
}

function isValidatorError(err: unknown): err is ValidatorError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as ValidatorError).status === 'number' &&
    Array.isArray((err as ValidatorError).errors)
  );
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as BodyParserError).type === 'string' &&
    typeof (err as BodyParserError).status === 'number'
  );
}

/** express-openapi-validator paths look like /body/name or /query/limit: already JSON pointers. */
function fieldErrors(errors: ValidatorError['errors']): FieldError[] {
  return (errors ?? []).map((e) => ({
    pointer: e.path ? (e.path.startsWith('/') ? e.path : `/${e.path.replace(/\./g, '/')}`) : '',
    detail: e.message ?? 'is invalid',
  }));
}

/** Maps errors raised by express, its body parser and the validator onto the closed problem types. */
export function asProblem(err: unknown): unknown {
  if (err instanceof ProblemError) return err;
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return new ProblemError('payload-too-large', { detail: 'The request body is larger than this gateway accepts.' });
      case 'entity.parse.failed':
        return new ProblemError('malformed-json', { detail: 'The request body is not valid JSON.' });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new ProblemError('unsupported-media-type', { detail: "The request body's encoding or charset is not supported." });
      default:
        if (err.status >= 400 && err.status < 500)
          return new ProblemError('bad-request', { detail: 'The request body could not be read.' });
        return err;
    }
  }
  if (isValidatorError(err)) {
    const message = err.errors?.[0]?.message ?? err.message ?? '';
    switch (err.status) {
      case 400:
        return new ProblemError('validation-failed', {
          detail: 'The request does not match the contract.',
          errors: fieldErrors(err.errors),
        });
      case 404:
        return new ProblemError('not-found', { detail: 'No operation of this API answers this path.' });
      case 405:
        return new ProblemError('method-not-allowed', {
          detail: `This method is not allowed here${err.headers?.Allow ? `; use ${err.headers.Allow}` : ''}.`,
          headers: err.headers?.Allow ? { Allow: err.headers.Allow } : {},
        });
      case 406:
        return new ProblemError('not-acceptable', { detail: message || 'No acceptable representation.' });
      case 413:
        return new ProblemError('payload-too-large', { detail: 'The request body is larger than this operation accepts.' });
      case 415:
        return new ProblemError('unsupported-media-type', { detail: message || 'This content type is not accepted here.' });
      default:
        return err; // a 500 from response validation: logged with its message, answered as a generic 500
    }
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // e.g. a path that cannot be URI-decoded: express marks such errors with a 4xx status.
    return new ProblemError('bad-request', { detail: 'The request could not be understood.' });
  }
  return err;
}

export function problemHandler(exposeInternals: boolean): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const mapped = asProblem(err);
    const response = toProblemResponse(mapped, { requestId: req.requestId, instance: req.originalUrl.split('?')[0], exposeInternals });
    if (response.status >= 500 && !(mapped instanceof ProblemError)) {
      req.log?.error({ err }, 'unhandled error');
    }
    res.status(response.status);
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    res.send(JSON.stringify(response.body));
  };
}
