// Cross-references on both engines: link/find, uniqueness both ways, and the race for a new record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../store/index.js';
import { findAllNative, findCanonical, findNative, getOrCreateCanonical, isCanonicalId, link, newId } from './index.js';
import { ProblemError } from '../problems.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';

describe('newId', () => {
  it('mints UUIDv7 ids that sort by creation', () => {
    const ids = Array.from({ length: 50 }, () => newId());
    expect(ids.every(isCanonicalId)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    expect(isCanonicalId('3b241101-e2bb-4255-8caf-4136c566a962')).toBe(false); // v4
  });
});

describe.each(testEngines())('xref on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  it('links a canonical id to native ids and finds it both ways', async () => {
    const id = newId();
    await link(store.db, { canonicalId: id, entityType: 'client', platform: 'crm', nativeId: '001A' });
    await link(store.db, { canonicalId: id, entityType: 'client', platform: 'erp', nativeId: 'CUST-7' });
    expect(await findCanonical(store.db, 'crm', 'client', '001A')).toBe(id);
    expect(await findCanonical(store.db, 'erp', 'client', 'CUST-7')).toBe(id);
    expect(await findNative(store.db, id, 'erp')).toBe('CUST-7');
    expect(await findNative(store.db, id, 'time')).toBeUndefined();
    expect(await findCanonical(store.db, 'crm', 'contact', '001A')).toBeUndefined();
    expect(await findAllNative(store.db, id)).toEqual([
      { platform: 'crm', nativeId: '001A' },
      { platform: 'erp', nativeId: 'CUST-7' },
    ]);
  });

  it('linking the same pair twice is a no-op', async () => {
    const id = newId();
    const ref = { canonicalId: id, entityType: 'engagement', platform: 'erp', nativeId: 'PRJ-1' };
    await link(store.db, ref);
    await link(store.db, ref);
    expect(await findAllNative(store.db, id)).toEqual([{ platform: 'erp', nativeId: 'PRJ-1' }]);
  });

  it('refuses a native record already linked to another canonical id', async () => {
    const first = newId();
    await link(store.db, { canonicalId: first, entityType: 'client', platform: 'crm', nativeId: 'DUP-1' });
    const second = newId();
    const err = await link(store.db, { canonicalId: second, entityType: 'client', platform: 'crm', nativeId: 'DUP-1' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(409);
    expect(await findCanonical(store.db, 'crm', 'client', 'DUP-1')).toBe(first);
    expect(await findAllNative(store.db, second)).toEqual([]);
  });

  it('refuses a second native id for one canonical id on the same platform', async () => {
    const id = newId();
    await link(store.db, { canonicalId: id, entityType: 'client', platform: 'erp', nativeId: 'C-1' });
    await expect(link(store.db, { canonicalId: id, entityType: 'client', platform: 'erp', nativeId: 'C-2' })).rejects.toMatchObject({
      status: 409,
    });
    expect(await findNative(store.db, id, 'erp')).toBe('C-1');
    expect(await findCanonical(store.db, 'erp', 'client', 'C-2')).toBeUndefined();
  });

  it('refuses to link one canonical id as two entity types', async () => {
    const id = newId();
    await link(store.db, { canonicalId: id, entityType: 'client', platform: 'crm', nativeId: 'T-1' });
    await expect(link(store.db, { canonicalId: id, entityType: 'engagement', platform: 'erp', nativeId: 'T-1' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('the same native id on different platforms or entity types are different records', async () => {
    const a = await getOrCreateCanonical(store.db, 'crm', 'client', 'SAME');
    const b = await getOrCreateCanonical(store.db, 'erp', 'client', 'SAME');
    const c = await getOrCreateCanonical(store.db, 'crm', 'contact', 'SAME');
    expect(new Set([a.canonicalId, b.canonicalId, c.canonicalId]).size).toBe(3);
  });

  it('getOrCreateCanonical mints once, then finds the same id', async () => {
    const first = await getOrCreateCanonical(store.db, 'scheduling', 'resource', 'R-9');
    const again = await getOrCreateCanonical(store.db, 'scheduling', 'resource', 'R-9');
    expect(first.created).toBe(true);
    expect(isCanonicalId(first.canonicalId)).toBe(true);
    expect(again).toEqual({ canonicalId: first.canonicalId, created: false });
  });

  it('concurrent getOrCreateCanonical calls from several connections agree on one canonical id', async () => {
    // Separate stores on the same database: separate pools (PostgreSQL) or connections (SQLite).
    const url = engine.name === 'postgres' ? undefined : store.location;
    const others: Store[] = [];
    if (engine.name === 'sqlite') {
      for (let i = 0; i < 3; i++) others.push(createStore({ databaseUrl: `sqlite:${url}` }));
    }
    const stores = [store, ...others];
    try {
      for (let round = 0; round < 5; round++) {
        const nativeId = `RACE-${round}`;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => getOrCreateCanonical(stores[i % stores.length].db, 'time', 'time-entry', nativeId)),
        );
        const ids = new Set(results.map((r) => r.canonicalId));
        expect(ids.size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const rows = await store.db.selectFrom('xref').selectAll().where('native_id', '=', nativeId).execute();
        expect(rows).toHaveLength(1);
      }
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });
});
