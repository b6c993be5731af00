// RFC 6750 answers for bearer-token failures: 401 with WWW-Authenticate, 403 insufficient_scope.
import { ProblemError } from '../../core/problems.js';

export const REALM = 'ps-connectivity-layer';

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/** No credentials at all: RFC 6750 §3.1 says to send the challenge without an error code. */
export function missingToken(detail = 'This resource needs a bearer token in the Authorization header.'): ProblemError {
  return new ProblemError('unauthorized', { detail, headers: { 'WWW-Authenticate': `Bearer realm=${quoted(REALM)}` } });
}

export function invalidToken(description: string): ProblemError {
  return new ProblemError('unauthorized', {
    detail: `The bearer token was rejected: ${description}.`,
    headers: { 'WWW-Authenticate': `Bearer realm=${quoted(REALM)}, error="invalid_token", error_description=${quoted(description)}` },
  });
}

export function invalidRequest(description: string): ProblemError {
  return new ProblemError('unauthorized', {
    detail: `${description}.`,
    headers: { 'WWW-Authenticate': `Bearer realm=${quoted(REALM)}, error="invalid_request", error_description=${quoted(description)}` },
  });
}

export function insufficientScope(required: string[]): ProblemError {
  const scope = required.join(' ');
  return new ProblemError('forbidden', {
    detail: `The token lacks the scope this operation needs: ${scope}.`,
    headers: {
      'WWW-Authenticate': `Bearer realm=${quoted(REALM)}, error="insufficient_scope", scope=${quoted(scope)}`,
    },
    extensions: { requiredScopes: required },
  });
}
