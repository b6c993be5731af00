// The one cross-reference lookup on both engines: adopt-or-mint, the conflict fallback, the
// per-call memo, entity-checked native ids, batches, and links inside a transaction.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Store } from '../store/index.js';
import { CrossReferences, findCanonical, isCanonicalId, link, newId, numericIds, textIds } from './index.js';
import { ProblemError } from '../problems.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';

type Entity = 'client' | 'contact';

describe.each(testEngines())('CrossReferences on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });

  const refs = (platform: string, memo = false) => new CrossReferences<Entity, string>(store.db, { platform, nativeIds: textIds, memo });

  it('adopts a canonical id given as hint, and finds it again without the hint', async () => {
    const hint = newId();
    const xref = refs('crm');
    expect(await xref.canonical('client', 'A-1', hint)).toBe(hint);
    expect(await xref.canonical('client', 'A-1')).toBe(hint);
    expect(await findCanonical(store.db, 'crm', 'client', 'A-1')).toBe(hint);
  });

  it('answers the records ever linked among many, creating none', async () => {
    const xref = refs('existing-many');
    const linked = await xref.canonical('client', 'E-1');
    await xref.canonical('contact', 'E-2');
    const found = await xref.existingMany('client', ['E-1', 'E-2', 'E-3', 'E-1']);
    expect([...found], 'only the client linked as a client').toEqual([['E-1', linked]]);
    expect(await xref.existing('client', 'E-3'), 'nothing minted for the unknown one').toBeUndefined();
  });

  it('mints a fresh id when the hint is not a canonical id or already belongs to another record', async () => {
    const xref = refs('crm');
    const notCanonical = await xref.canonical('client', 'A-2', 'EXT-42');
    expect(isCanonicalId(notCanonical)).toBe(true);
    const taken = newId();
    await link(store.db, { canonicalId: taken, entityType: 'client', platform: 'crm', nativeId: 'A-3' });
    const copied = await xref.canonical('client', 'A-4', taken);
    expect(copied).not.toBe(taken);
    expect(isCanonicalId(copied)).toBe(true);
    expect(await findCanonical(store.db, 'crm', 'client', 'A-4')).toBe(copied);
  });

  it('memo: one object resolves a record once, another object reads the stored link', async () => {
    const xref = refs('time', true);
    const [a, b] = await Promise.all([xref.canonical('client', 'M-1'), xref.canonical('client', 'M-1')]);
    expect(a).toBe(b);
    await store.db.deleteFrom('xref').where('canonical_id', '=', a).execute();
    expect(await xref.canonical('client', 'M-1')).toBe(a); // remembered by this object
    expect(await refs('time', true).canonical('client', 'M-1')).not.toBe(a); // a new call looks again
  });

  it('native ids are checked against the entity type, and require() throws what it is given', async () => {
    const xref = refs('erp');
    const id = await xref.canonical('client', 'C-9');
    expect(await xref.native('client', id)).toBe('C-9');
    expect(await xref.native('contact', id)).toBeUndefined();
    expect(await refs('crm').native('client', id)).toBeUndefined();
    await expect(xref.require('contact', id, () => new ProblemError('not-found', { detail: 'no such contact' }))).rejects.toMatchObject({
      status: 404,
      detail: 'no such contact',
    });
    expect(await xref.require('client', id, () => new Error('unreachable'))).toBe('C-9');
  });

  it('numeric native ids are stored as text and read back as numbers', async () => {
    const xref = new CrossReferences<Entity, number>(store.db, { platform: 'scheduling', nativeIds: numericIds });
    const id = await xref.canonical('client', 77);
    expect(await findCanonical(store.db, 'scheduling', 'client', '77')).toBe(id);
    expect(await xref.native('client', id)).toBe(77);
    expect(await xref.existing('client', 77)).toBe(id);
    expect(await xref.existing('client', 78)).toBeUndefined();
  });

  it('refreshes the table statistics after linking many records in bulk, so lookups stay index probes', async () => {
    const xref = refs('bulk');
    const natives = Array.from({ length: 12_000 }, (_, i) => ({ nativeId: `B-${i}` }));
    const many = await xref.canonicalMany('contact', natives);
    expect(new Set(many.values()).size, 'one canonical id per record').toBe(12_000);
    // What the planner knows of xref: PostgreSQL's row estimate, SQLite's sqlite_stat1 entry.
    const known =
      store.engine === 'postgres'
        ? Number(
            (await sql<{ n: number }>`select reltuples::bigint as n from pg_class where oid = 'xref'::regclass`.execute(store.db)).rows[0]
              ?.n,
          )
        : Number((await sql<{ n: number }>`select count(*) as n from sqlite_stat1 where tbl = 'xref'`.execute(store.db)).rows[0]?.n);
    expect(known, 'the statistics were refreshed after the bulk links').toBeGreaterThan(0);
  });

  it('canonicalMany resolves known and new records, once each, preferring the mention with a hint', async () => {
    const xref = refs('crm');
    const known = await xref.canonical('contact', 'B-1');
    const hint = newId();
    const many = await xref.canonicalMany('contact', [
      { nativeId: 'B-1' },
      { nativeId: 'B-2' },
      { nativeId: 'B-2', adoptHint: hint },
      { nativeId: 'B-1' },
    ]);
    expect([...many.entries()]).toEqual([
      ['B-1', known],
      ['B-2', hint],
    ]);
    expect((await xref.canonicalMany('contact', [])).size).toBe(0);
  });

  it('canonicalMany links hundreds of first-seen records in bulk, each once, and known() finds them by canonical id', async () => {
    const xref = refs('bulk');
    const natives = Array.from({ length: 650 }, (_, i) => ({ nativeId: `B-${i}` }));
    const first = await xref.canonicalMany('client', natives);
    expect(first.size, 'one id per record').toBe(650);
    expect(new Set(first.values()).size, 'all distinct').toBe(650);
    expect([...first.values()].every(isCanonicalId)).toBe(true);
    const again = await refs('bulk').canonicalMany('client', natives);
    expect([...again].sort(), 'the same ids the second time').toEqual([...first].sort());
    expect(await findCanonical(store.db, 'bulk', 'client', 'B-649')).toBe(first.get('B-649'));
    const ids = [...first.values()];
    const stranger = newId();
    const known = await xref.known('client', [...ids, stranger]);
    expect(known.size, 'every linked id, not the unknown one').toBe(650);
    expect(known.has(stranger)).toBe(false);
    expect((await xref.known('contact', ids)).size, 'an id of another entity type is not known as this one').toBe(0);
    expect((await refs('other').known('client', ids)).size, 'nor on another platform').toBe(0);
  });

  it('a link made inside a transaction is rolled back with it', async () => {
    const xref = refs('scheduling');
    const id = newId();
    await expect(
      withTransaction(store, async (trx) => {
        await xref.link('client', id, 'T-1', trx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await xref.existing('client', 'T-1')).toBeUndefined();
    await xref.link('client', id, 'T-1');
    expect(await xref.existing('client', 'T-1')).toBe(id);
  });
});
