// The records a reconciliation finding names, as the operations API shows them: each platform's own
// id and page, asked of that platform's system API (`recordLinks`, in bulk) for the records the
// layer knows by canonical id. The process layer never reads the cross-references itself.
import type { CrmSystemApi } from '../../system-apis/crm/service.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { RecordLink } from '../../system-apis/kit/record-links.js';
import type { SchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import type { TimeSystemApi } from '../../system-apis/time/service.js';
import type { RecordEntity, RecordRef } from './reconciliation.js';

/** The system APIs a check names records on, each as the one method it needs. */
export interface RecordLinkSources {
  crm?: Pick<CrmSystemApi, 'recordLinks'>;
  erp?: Pick<ErpSystemApi, 'recordLinks'>;
  time?: Pick<TimeSystemApi, 'recordLinks'>;
  scheduling?: Pick<SchedulingSystemApi, 'recordLinks'>;
}
type LinkedPlatform = keyof RecordLinkSources;

/** A record a finding names, by canonical id; its native id and link are filled in by `recordRefs`. */
export interface RecordSpec {
  platform: LinkedPlatform;
  entity: RecordEntity;
  canonicalId: string;
  label?: string | null;
}

type EntityOf<P extends LinkedPlatform> = Parameters<NonNullable<RecordLinkSources[P]>['recordLinks']>[0];
type RecordLinks = Map<string, RecordLink>;

/** A finding's word for a record, in each system API's vocabulary (a finding's project is an engagement). */
const CRM: Partial<Record<RecordEntity, EntityOf<'crm'>>> = { account: 'client', client: 'client', opportunity: 'opportunity' };
const ERP: Partial<Record<RecordEntity, EntityOf<'erp'>>> = {
  client: 'client',
  project: 'engagement',
  invoice: 'invoice',
  payment: 'payment',
};
const TIME: Partial<Record<RecordEntity, EntityOf<'time'>>> = { 'time-entry': 'time-entry', project: 'engagement', resource: 'resource' };
const SCHEDULING: Partial<Record<RecordEntity, EntityOf<'scheduling'>>> = {
  assignment: 'assignment',
  project: 'engagement',
  resource: 'resource',
  'staffing-request': 'staffing-request',
};

function via<E extends string>(
  source: { recordLinks(entity: E, canonicalIds: readonly string[]): Promise<RecordLinks> } | undefined,
  entity: E | undefined,
): ((canonicalIds: readonly string[]) => Promise<RecordLinks>) | undefined {
  return source && entity ? (canonicalIds) => source.recordLinks(entity, canonicalIds) : undefined;
}

/** Who answers for records of this platform and entity; undefined when nobody can (they keep their canonical id). */
function lookupOf(sources: RecordLinkSources, platform: string, entity: RecordEntity) {
  switch (platform) {
    case 'crm':
      return via(sources.crm, CRM[entity]);
    case 'erp':
      return via(sources.erp, ERP[entity]);
    case 'time':
      return via(sources.time, TIME[entity]);
    case 'scheduling':
      return via(sources.scheduling, SCHEDULING[entity]);
    default:
      return undefined;
  }
}

/** The links of the named records, one bulk call per platform and entity type, keyed `platform|entity|canonicalId`. */
async function linksOf(
  sources: RecordLinkSources,
  records: ReadonlyArray<{ platform: string; entity: RecordEntity; canonicalId: string }>,
): Promise<Map<string, RecordLink>> {
  const groups = new Map<string, { platform: string; entity: RecordEntity; ids: Set<string> }>();
  for (const r of records) {
    const group = `${r.platform}|${r.entity}`;
    if (!groups.has(group)) groups.set(group, { platform: r.platform, entity: r.entity, ids: new Set() });
    groups.get(group)!.ids.add(r.canonicalId);
  }
  const out = new Map<string, RecordLink>();
  await Promise.all(
    [...groups.entries()].map(async ([group, { platform, entity, ids }]) => {
      const lookup = lookupOf(sources, platform, entity);
      if (!lookup) return;
      for (const [canonicalId, link] of await lookup([...ids])) out.set(`${group}|${canonicalId}`, link);
    }),
  );
  return out;
}

/** The records as findings name them: the platform's own id and its page where it has one (the canonical id where the platform has none). */
export async function recordRefs(sources: RecordLinkSources, specs: readonly RecordSpec[]): Promise<RecordRef[]> {
  const links = await linksOf(sources, specs);
  return specs.map((spec) => {
    const link = links.get(`${spec.platform}|${spec.entity}|${spec.canonicalId}`);
    return {
      platform: spec.platform,
      entity: spec.entity,
      id: link?.nativeId ?? spec.canonicalId,
      canonicalId: spec.canonicalId,
      label: spec.label ?? null,
      url: link?.url ?? null,
    };
  });
}

/**
 * The findings with the platform's own id in `id` of every record that carries a canonical id (the
 * canonical id stays in `canonicalId`), and its page where the record has no link yet.
 */
export async function withRecordLinks<T extends { records: RecordRef[] }>(sources: RecordLinkSources, items: T[]): Promise<T[]> {
  const named = items.flatMap((f) => f.records.flatMap((r) => (r.canonicalId ? [{ ...r, canonicalId: r.canonicalId }] : [])));
  const links = await linksOf(sources, named);
  return items.map((f) => ({
    ...f,
    records: f.records.map((r) => {
      const link = r.canonicalId ? links.get(`${r.platform}|${r.entity}|${r.canonicalId}`) : undefined;
      return link ? { ...r, id: link.nativeId, url: r.url ?? link.url } : r;
    }),
  }));
}
