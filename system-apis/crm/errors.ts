// Salesforce error answers as problem details: data the CRM refused is the caller's 422 with
// canonical pointers; a used-up allowance is 503; anything else is the CRM's or this layer's 502.
import { ProblemError } from '../../core/problems.js';
import type { PlatformResponse } from '../kit/index.js';
import type { SfError } from './vendor-types.js';
import { canonicalPointer } from './vocabulary.js';

/** Error codes that mean the data sent was refused (the caller can fix it): 422. */
const DATA_ERRORS = new Set([
  'REQUIRED_FIELD_MISSING',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'STRING_TOO_LONG',
  'INVALID_CROSS_REFERENCE_KEY',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'FIELD_INTEGRITY_EXCEPTION',
  'DUPLICATE_VALUE',
  'DUPLICATES_DETECTED',
  'INVALID_EMAIL_ADDRESS',
  'MALFORMED_ID',
  'ENTITY_IS_DELETED',
]);

function sfErrors(body: unknown): SfError[] {
  if (!Array.isArray(body)) return [];
  return body.filter((e): e is SfError => !!e && typeof e === 'object' && typeof (e as SfError).errorCode === 'string');
}

/** A Salesforce error answer as a problem: the vendor message is kept as detail, shortened. */
export function mapCrmError(res: PlatformResponse): ProblemError {
  const errors = sfErrors(res.body);
  const first = errors[0];
  const detail = first ? `CRM ${first.errorCode}: ${String(first.message).slice(0, 300)}` : `The CRM answered ${res.status}.`;
  const extensions = { platform: 'crm', upstreamStatus: res.status, ...(first ? { upstreamCode: first.errorCode } : {}) };
  if (res.status === 404) return new ProblemError('not-found', { detail, extensions });
  if (res.status === 300 || res.status === 409) return new ProblemError('conflict', { detail, extensions });
  if (res.status === 403 && first?.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    // The org's 24-hour allowance is used up: nothing helps before it rolls over.
    return new ProblemError('upstream-unavailable', { detail, headers: { 'Retry-After': '3600' }, extensions });
  }
  if (res.status === 400 && first && DATA_ERRORS.has(first.errorCode)) {
    return new ProblemError('unprocessable-content', {
      detail,
      // Pointers name the canonical fields; vendor field names stay below the system API.
      errors: errors
        .flatMap((e) => (e.fields?.length ? e.fields : ['']).map((f) => ({ pointer: canonicalPointer(f), detail: e.errorCode })))
        .slice(0, 20),
      extensions,
    });
  }
  // Anything else (a malformed query, an unknown field) is this layer's fault or the CRM's.
  return new ProblemError('upstream-error', { detail, extensions });
}
