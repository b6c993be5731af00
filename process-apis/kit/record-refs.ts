// The records a reconciliation finding names, as the operations API shows them: the platform's own
// id (read from the layer's cross-references, many at once) and a link to the platform's own page
// where it has one and the layer knows where that platform lives.
import type { Kysely } from 'kysely';
import type { Database } from '../../core/store/schema.js';
import type { RecordEntity, RecordRef } from './reconciliation.js';
import '../../core/xref/index.js';

/** Where the platforms' own screens are, for links in findings. */
export interface RecordLinks {
  /** NetSuite's account id (`ERP_ACCOUNT_ID`, e.g. `TSTDRV100001` or `1234567_SB1`). */
  erpAccountId?: string;
  /** The Salesforce org's My Domain URL (e.g. `https://acme.my.salesforce.com`), for Lightning record pages. */
  crmInstanceUrl?: string;
}

/** A record a finding names, by canonical id; its native id and link are filled in by `recordRefs`. */
export interface RecordSpec {
  platform: 'crm' | 'erp' | 'time' | 'scheduling';
  entity: RecordEntity;
  canonicalId: string;
  label?: string | null;
}

/** Canonical ids per query: well under every engine's parameter limit. */
const BATCH = 500;

/** NetSuite's account host: the account id in lower case, `_` as `-` (`1234567_SB1` → `1234567-sb1`). */
function netsuiteHost(accountId: string): string {
  return `https://${accountId.toLowerCase().replace(/_/g, '-')}.app.netsuite.com`;
}

const NETSUITE_PAGES: Partial<Record<RecordEntity, string>> = {
  invoice: '/app/accounting/transactions/custinvc.nl',
  project: '/app/common/entity/custjob.nl',
  client: '/app/common/entity/custjob.nl',
};
const SALESFORCE_OBJECTS: Partial<Record<RecordEntity, string>> = { opportunity: 'Opportunity', account: 'Account' };

function urlOf(spec: RecordSpec, nativeId: string | undefined, links: RecordLinks): string | null {
  if (!nativeId) return null;
  const id = encodeURIComponent(nativeId);
  if (spec.platform === 'erp' && links.erpAccountId) {
    const page = NETSUITE_PAGES[spec.entity];
    return page ? `${netsuiteHost(links.erpAccountId)}${page}?id=${id}` : null;
  }
  if (spec.platform === 'crm' && links.crmInstanceUrl) {
    const object = SALESFORCE_OBJECTS[spec.entity];
    return object ? `${links.crmInstanceUrl.replace(/\/+$/, '')}/lightning/r/${object}/${id}/view` : null;
  }
  // Harvest has no page per time entry (a person's day or week holds it), and the rest carry no link yet.
  return null;
}

/** The records as findings name them: the platform's own id (from the cross-references) and a link where the platform has a page. */
export async function recordRefs(db: Kysely<Database>, specs: readonly RecordSpec[], links: RecordLinks): Promise<RecordRef[]> {
  const ids = [...new Set(specs.map((s) => s.canonicalId))];
  const platforms = [...new Set(specs.map((s) => s.platform))];
  const natives = new Map<string, string>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db
      .selectFrom('xref')
      .select(['canonical_id', 'platform', 'native_id'])
      .where('canonical_id', 'in', ids.slice(i, i + BATCH))
      .where('platform', 'in', platforms)
      .execute();
    for (const r of rows) natives.set(`${r.platform}:${r.canonical_id}`, r.native_id);
  }
  return specs.map((spec) => {
    const nativeId = natives.get(`${spec.platform}:${spec.canonicalId}`);
    return {
      platform: spec.platform,
      entity: spec.entity,
      id: nativeId ?? spec.canonicalId,
      canonicalId: spec.canonicalId,
      label: spec.label ?? null,
      url: urlOf(spec, nativeId, links),
    };
  });
}

/** The layer's run record, for findings about a run. */
export function runRef(runId: string, label?: string): RecordRef {
  return { platform: 'layer', entity: 'run', id: runId, label: label ?? null };
}
