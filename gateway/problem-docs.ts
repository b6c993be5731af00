// What each problem type means, served at /problems/{type} so that every `type` URI in an
// error body resolves to an explanation a caller can act on.
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '../core/problems.js';

const DESCRIPTIONS: Partial<Record<ProblemType, string>> = {
  'bad-request': 'The request could not be understood (for example a path that cannot be decoded). Fix the request before retrying.',
  'validation-failed':
    "The request does not match the operation's contract. `errors` lists each offending field with a JSON Pointer; the contract at /specs says what is expected.",
  'malformed-json': 'The body is not valid JSON. Send a JSON object or array with Content-Type application/json.',
  'idempotency-key-missing':
    'This operation needs an Idempotency-Key header so that a retry cannot repeat its effect. Send a unique key per operation.',
  'idempotency-key-malformed': 'The Idempotency-Key must be a Structured Field string, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324".',
  unauthorized:
    'No valid bearer token: it is missing, expired, not yet valid, signed by an unknown key or algorithm, or issued for another issuer or audience. WWW-Authenticate says which. Tokens go only in the Authorization header.',
  'invalid-signature': 'A signed request (e.g. a webhook) did not carry a valid signature for its body and timestamp.',
  forbidden:
    'The token is valid but lacks a scope the operation needs; `requiredScopes` and WWW-Authenticate name them. Ask for a token with those scopes.',
  'not-found': 'No such resource, or one the caller may not see. For an unknown version of a known API, `versions` lists those that exist.',
  'method-not-allowed': 'The path exists but not with this method. The Allow header lists the methods that are.',
  'not-acceptable': 'No representation matches the Accept header.',
  conflict: 'The request conflicts with the current state of the resource. Read it again and retry with the current state.',
  'idempotency-request-in-flight':
    'A request with the same Idempotency-Key is still being processed. Retry after it finishes to receive its response.',
  gone: 'This API version is retired. `successor` names the version to use instead; its docs are under /docs.',
  'precondition-failed': 'A precondition header (If-Match) no longer holds: the resource changed. Read it again.',
  'payload-too-large': 'The request body is larger than the gateway accepts. Send smaller requests or page the data.',
  'unsupported-media-type': 'The Content-Type is not one this operation accepts (usually application/json).',
  'unprocessable-content': 'The request is well-formed but cannot be processed as it stands.',
  'idempotency-key-reused':
    'The Idempotency-Key was already used by this consumer for a different request. Use a new key for a new operation.',
  'business-rule-violation': 'The request breaks a business rule (for example an invalid contract term). `detail` says which.',
  'rate-limited':
    "The consumer's quota is used up. Retry after the number of seconds in Retry-After; RateLimit and RateLimit-Policy describe the quota.",
  internal: 'The request failed unexpectedly. Nothing about the cause is disclosed; quote the request id to the operators.',
  'not-implemented': 'The operation is in the contract but not implemented by this deployment yet.',
  'upstream-error': 'A platform behind the layer answered with an error or an unreadable answer.',
  'upstream-unavailable': 'A platform behind the layer is unavailable or its circuit is open. Retry later.',
  'service-unavailable':
    "The layer cannot serve the request right now (a dependency such as the identity provider's keys or the store is down). Retry later.",
  'upstream-timeout':
    'A platform behind the layer did not answer in time. The operation may or may not have happened; retry with the same Idempotency-Key.',
};

export interface ProblemTypeDoc {
  type: string;
  title: string;
  status: number;
  description: string;
}

export function problemTypeDoc(name: string): ProblemTypeDoc | undefined {
  if (!Object.prototype.hasOwnProperty.call(PROBLEM_TYPES, name)) return undefined;
  const type = name as ProblemType;
  const def = PROBLEM_TYPES[type];
  return { type: problemTypeUri(type), title: def.title, status: def.status, description: DESCRIPTIONS[type] ?? def.title };
}
