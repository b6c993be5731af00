// Snapshots of one assignment saved by overlapping runs: the newest platform version wins,
// whichever run finishes last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import type { AtfAssignmentsTable } from './schema.js';
import { saveAssignment } from './store.js';

describe.each(testEngines())('assignment snapshots on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store?.close();
    await engine.cleanup();
  });

  it('keeps the newest platform version, whatever order the runs finish in', async () => {
    const base: AtfAssignmentsTable = {
      assignment_id: newId(),
      engagement_id: newId(),
      resource_id: newId(),
      role: 'consultant',
      start_date: '2026-12-07',
      end_date: '2026-12-18',
      minutes_per_week: 1_800,
      status: 'confirmed',
      capacity_minutes: 2_400,
      rate_minor: 16_000,
      currency: 'EUR',
      updated_at_ms: Date.now(),
      source_updated_ms: Date.parse('2026-11-26T10:00:00Z'),
    };
    const read = () =>
      store.db.selectFrom('atf_assignments').selectAll().where('assignment_id', '=', base.assignment_id).executeTakeFirstOrThrow();
    expect(await saveAssignment(store.db, base)).toBe(true);
    // The update run read the newer version and finishes first…
    expect(await saveAssignment(store.db, { ...base, minutes_per_week: 1_200, source_updated_ms: base.source_updated_ms + 60_000 })).toBe(
      true,
    );
    // …the create run, which read the older version, finishes last and changes nothing.
    expect(await saveAssignment(store.db, { ...base, minutes_per_week: 1_800 })).toBe(false);
    expect(Number((await read()).minutes_per_week)).toBe(1_200);
    // The same version again (a cancellation of the latest state) is kept.
    expect(
      await saveAssignment(store.db, {
        ...base,
        minutes_per_week: 1_200,
        status: 'cancelled',
        source_updated_ms: base.source_updated_ms + 60_000,
      }),
    ).toBe(true);
    expect((await read()).status).toBe('cancelled');
  });
});
