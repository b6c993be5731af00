// Parses the Idempotency-Key request header: a Structured Field String (RFC 8941), e.g.
// `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`.
import { parseItem } from 'structured-headers';
import { ProblemError } from '../problems.js';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

function malformed(detail: string): ProblemError {
  return new ProblemError('idempotency-key-malformed', {
    detail,
    errors: [{ pointer: '/headers/idempotency-key', detail }],
  });
}

/** The key inside the header value; throws a 400 `idempotency-key-malformed` problem otherwise. */
export function parseIdempotencyKey(headerValue: string): string {
  let value: unknown;
  try {
    // Parameters are allowed on an Item by RFC 8941 and carry nothing here: ignored.
    [value] = parseItem(headerValue);
  } catch {
    throw malformed('Idempotency-Key must be a Structured Field string in double quotes, e.g. "4f1c…".');
  }
  if (typeof value !== 'string') {
    throw malformed('Idempotency-Key must be a Structured Field string in double quotes, not a token, number or byte sequence.');
  }
  if (value.length === 0 || value.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw malformed(`Idempotency-Key must hold 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters.`);
  }
  return value;
}
