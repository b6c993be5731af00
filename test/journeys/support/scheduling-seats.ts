// What the scheduling platform itself holds for an engagement: the allocations on its project,
// read straight from the sandbox, so a test sees a staffing request the layer never recorded.
import type { Store } from '../../../core/store/index.js';
import { SCHEDULING_SANDBOX_TOKEN } from '../../../sandboxes/scheduling/index.js';
import { SchedulingConnector } from '../../../system-apis/scheduling/connector.js';
import type { FloatTask } from '../../../system-apis/scheduling/vendor-types.js';

export async function schedulingSeats(store: Store, sandboxUrl: string, engagementId: string): Promise<FloatTask[]> {
  const native = await store.db
    .selectFrom('xref')
    .select('native_id')
    .where('canonical_id', '=', engagementId)
    .where('platform', '=', 'scheduling')
    .executeTakeFirst();
  if (!native) return [];
  const connector = new SchedulingConnector({ baseUrl: sandboxUrl, apiToken: SCHEDULING_SANDBOX_TOKEN, timeoutMs: 10_000 });
  try {
    return await connector.allTasks({ projectId: Number(native.native_id) });
  } finally {
    await connector.close();
  }
}
