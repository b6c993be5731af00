// Change Data Capture events from the CRM, read into canonical terms: which entity, what
// kind of change, which canonical fields changed, and whether it is the closed-won change
// that starts the opportunity-to-project journey. The body is untrusted input: checked
// field by field, never cast.
import { ProblemError } from '../../core/problems.js';
import { isSalesforceId } from './mapping.js';
import type { OpportunityStage } from './canonical.js';
import { CANONICAL_FIELDS, STAGE_TO_CANONICAL } from './vocabulary.js';
import { ENTITY_OF, type CrmEntity } from './ids.js';

export type ChangeKind = 'created' | 'updated' | 'deleted' | 'undeleted';

export interface CrmChange {
  entity: CrmEntity;
  kind: ChangeKind;
  /** The CRM's record ids; resolve them with CrmSystemApi.canonicalIdOf. */
  crmIds: string[];
  /** Canonical names of the fields that changed (updates) or were set (creates). */
  fields: string[];
  committedAt: string;
  /** De-duplication key of the CRM transaction and the event's place in it. */
  transactionKey: string;
  sequenceNumber: number;
  /** The new stage, when the event carries one. */
  stage?: OpportunityStage;
  /** An opportunity moved to a won stage in this change. */
  closedWon: boolean;
}

const KINDS: Record<string, ChangeKind> = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted', UNDELETE: 'undeleted' };

function invalid(detail: string): ProblemError {
  return new ProblemError('validation-failed', { detail: `Not a CRM change event: ${detail}` });
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 10_000 && v.every((s) => typeof s === 'string');

export function readChangeEvent(body: unknown): CrmChange {
  const payload = isRecord(body) && isRecord(body.payload) ? body.payload : undefined;
  const header = payload && isRecord(payload.ChangeEventHeader) ? payload.ChangeEventHeader : undefined;
  if (!payload || !header) throw invalid('no payload.ChangeEventHeader');
  const object = header.entityName;
  if (object !== 'Account' && object !== 'Contact' && object !== 'Opportunity') throw invalid(`entity ${String(object)} is not mapped`);
  const kind = typeof header.changeType === 'string' ? KINDS[header.changeType] : undefined;
  if (!kind) throw invalid(`changeType ${String(header.changeType)}`);
  if (!strings(header.recordIds) || header.recordIds.length === 0 || !header.recordIds.every((id) => isSalesforceId(id, object))) {
    throw invalid('recordIds must be ids of the entity');
  }
  if (typeof header.commitTimestamp !== 'number' || !Number.isFinite(header.commitTimestamp)) throw invalid('commitTimestamp');
  if (typeof header.transactionKey !== 'string' || typeof header.sequenceNumber !== 'number')
    throw invalid('transactionKey/sequenceNumber');
  const changed = kind === 'updated' ? header.changedFields : Object.keys(payload).filter((k) => k !== 'ChangeEventHeader');
  if (!strings(changed)) throw invalid('changedFields');
  const names = CANONICAL_FIELDS[object];
  const fields = [...new Set(changed.flatMap((f) => (names[f] ? [names[f]] : [])))];
  const rawStage = object === 'Opportunity' && typeof payload.StageName === 'string' ? payload.StageName : undefined;
  const stage = rawStage
    ? (STAGE_TO_CANONICAL[rawStage as keyof typeof STAGE_TO_CANONICAL] ?? (payload.IsWon === true ? 'closed-won' : undefined))
    : undefined;
  const stageChanged = kind === 'created' || changed.includes('StageName') || changed.includes('IsWon');
  return {
    entity: ENTITY_OF[object],
    kind,
    crmIds: header.recordIds,
    fields,
    committedAt: new Date(header.commitTimestamp).toISOString(),
    transactionKey: header.transactionKey,
    sequenceNumber: header.sequenceNumber,
    ...(stage ? { stage } : {}),
    closedWon: object === 'Opportunity' && kind !== 'deleted' && stageChanged && (stage === 'closed-won' || payload.IsWon === true),
  };
}
