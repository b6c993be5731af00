// What the layer's own tables say, where the test needs it beside the platforms' answers: the
// canonical id of a CRM record, the provisioning runs of an opportunity, the periods a job claimed.
import type { Store } from '../../../core/store/index.js';
import { waitFor } from '../../support/wait-for.js';

/** The layer's id of a CRM record, once the layer has seen it. */
export function canonicalOpportunity(store: Store, sfId: string): Promise<string> {
  return waitFor(
    () =>
      store.db
        .selectFrom('xref')
        .select('canonical_id')
        .where('platform', '=', 'crm')
        .where('native_id', '=', sfId)
        .executeTakeFirst()
        .then((r) => r?.canonical_id),
    { what: `the layer to know opportunity ${sfId}`, timeoutMs: 60_000, intervalMs: 100 },
  ) as Promise<string>;
}

/** Every provisioning run of an opportunity (a second generation is keyed `<id>#2`). */
export function provisionRuns(store: Store, opportunityId: string) {
  return store.db
    .selectFrom('workflow_runs')
    .select(['id', 'state'])
    .where('definition', '=', 'opportunity-to-project')
    .where('run_key', 'like', `${opportunityId}%`)
    .execute();
}

/** How many periods a periodic job has claimed (core/schedules). */
export async function claimedPeriods(store: Store, job: string): Promise<number> {
  return (await store.db.selectFrom('schedule_claims').select('period_start_ms').where('job', '=', job).execute()).length;
}
