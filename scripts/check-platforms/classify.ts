// Sorts a failed platform call into what an operator has to fix: the credentials, a permission
// at the vendor, the network path, the rate budget, or the vendor itself; one line each.
import { ProblemError } from '../../core/problems.js';

export type Outcome = 'ok' | 'wrong-credentials' | 'missing-permission' | 'unreachable' | 'rate-limited' | 'vendor-error' | 'skipped';

export interface Classified {
  outcome: Exclude<Outcome, 'ok' | 'skipped'>;
  message: string;
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  ok: 'ok',
  'wrong-credentials': 'wrong credentials',
  'missing-permission': 'missing permission',
  unreachable: 'unreachable',
  'rate-limited': 'rate limited',
  'vendor-error': 'vendor error',
  skipped: 'not tried',
};

/** Salesforce codes that mean the object or field is not visible to the integration user (or not in the org). */
const CRM_NOT_VISIBLE = new Set(['INVALID_FIELD', 'INVALID_TYPE', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY']);
/** OAuth error codes of a token endpoint that mean the client's identity or key was not accepted. */
const BAD_CLIENT = /\b(invalid_client|invalid_grant|unauthorized_client|invalid_request)\b/;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** What went wrong, from the error a connector threw (a ProblemError, or anything else as a vendor error). */
export function classify(err: unknown): Classified {
  if (!(err instanceof ProblemError)) {
    return { outcome: 'vendor-error', message: oneLine(err instanceof Error ? err.message : String(err)) };
  }
  const upstream = typeof err.extensions.upstreamStatus === 'number' ? err.extensions.upstreamStatus : undefined;
  const code = typeof err.extensions.upstreamCode === 'string' ? err.extensions.upstreamCode : undefined;
  const failure = (err as { failure?: unknown }).failure;
  const detail = oneLine(err.detail);
  if (
    failure === 'refused' ||
    failure === 'timeout' ||
    failure === 'connection' ||
    (upstream === undefined && err.type === 'upstream-timeout')
  )
    return { outcome: 'unreachable', message: `host not reachable: ${detail}` };
  if (err.extensions.circuit === 'open') return { outcome: 'unreachable', message: `calls paused after repeated failures: ${detail}` };
  if (upstream === 401) return { outcome: 'wrong-credentials', message: `credentials refused (401): ${detail}` };
  if (upstream === 429 || code === 'REQUEST_LIMIT_EXCEEDED')
    return { outcome: 'rate-limited', message: `rate budget used up (${upstream ?? 'limit'}): ${detail}` };
  if (upstream === 403) return { outcome: 'missing-permission', message: `access denied (403): ${detail}` };
  if ((upstream === 400 || upstream === 401) && /client credentials/.test(detail)) {
    // A token endpoint's refusal: invalid_scope is a grant the integration lacks, the rest a wrong id, secret or key.
    if (/\binvalid_scope\b/.test(detail))
      return { outcome: 'missing-permission', message: `scope not granted to the integration: ${detail}` };
    if (BAD_CLIENT.test(detail) || upstream === 401) return { outcome: 'wrong-credentials', message: `login refused: ${detail}` };
  }
  if (code && CRM_NOT_VISIBLE.has(code))
    return {
      outcome: 'missing-permission',
      message: `not visible to the integration user (object or field-level security, or not set up in this org): ${detail}`,
    };
  if (/permission/i.test(detail)) return { outcome: 'missing-permission', message: `permission refused: ${detail}` };
  return { outcome: 'vendor-error', message: `${upstream ? `the platform answered ${upstream}: ` : ''}${detail}` };
}
