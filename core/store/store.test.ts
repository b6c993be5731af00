// The store on both engines: transactions commit or roll back whole; portable helpers.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, isUniqueViolation, storeOptionsFromConfig, withTransaction, type Store } from './index.js';
import { loadConfig } from '../config/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { recordAudit } from '../audit/index.js';
import { link } from '../xref/index.js';

describe.each(testEngines())('store on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  it('reports its engine', () => {
    expect(store.engine).toBe(engine.name);
  });

  it('withTransaction commits every write together', async () => {
    await withTransaction(store, async (trx) => {
      await link(trx, { canonicalId: '0190f5d2-0000-7000-8000-000000000001', entityType: 'client', platform: 'crm', nativeId: 'A1' });
      await recordAudit(trx, { consumer: 'c', action: 'client.linked', targetType: 'client', targetId: 'x' });
    });
    const { rows } = await sql<{ n: number }>`select (select count(*) from xref) + (select count(*) from audit_log) as n`.execute(store.db);
    expect(Number(rows[0].n)).toBe(2);
  });

  it('withTransaction rolls every write back when the function throws', async () => {
    await expect(
      withTransaction(store, async (trx) => {
        await link(trx, { canonicalId: '0190f5d2-0000-7000-8000-000000000002', entityType: 'client', platform: 'crm', nativeId: 'B1' });
        await recordAudit(trx, { consumer: 'c', action: 'client.linked', targetType: 'client', targetId: 'y' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await sql<{ n: number }>`select (select count(*) from xref) + (select count(*) from audit_log) as n`.execute(store.db);
    expect(Number(rows[0].n)).toBe(0);
  });

  it('isUniqueViolation recognises a duplicate key on this engine and nothing else', async () => {
    const values = { canonical_id: 'k', entity_type: 'client', platform: 'crm', native_id: 'n', created_at: 1 };
    await store.db.insertInto('xref').values(values).execute();
    const duplicate = await store.db
      .insertInto('xref')
      .values(values)
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    const other = await sql`select * from no_such_table`.execute(store.db).catch((e: unknown) => e);
    expect(isUniqueViolation(other)).toBe(false);
  });

  it('reads epoch-millisecond timestamps back as numbers', async () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0, 123);
    await store.db
      .insertInto('xref')
      .values({ canonical_id: 't', entity_type: 'client', platform: 'crm', native_id: 't', created_at: at })
      .execute();
    const row = await store.db.selectFrom('xref').select('created_at').executeTakeFirstOrThrow();
    expect(row.created_at).toBe(at);
  });
});

describe('createStore with no configuration', () => {
  it('opens a SQLite file in WAL mode under the var directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-layer-var-'));
    const config = loadConfig({ VAR_DIR: join(dir, 'var') });
    const store = createStore(storeOptionsFromConfig(config.store, config.runtime.varDir));
    try {
      expect(store.engine).toBe('sqlite');
      expect(store.location).toBe(join(dir, 'var', 'layer.db'));
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(rows[0].journal_mode).toBe('wal');
      expect(existsSync(join(dir, 'var', 'layer.db'))).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the pool size from DATABASE_POOL_MAX', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db.example/layer', DATABASE_POOL_MAX: '3' });
    expect(storeOptionsFromConfig(config.store, config.runtime.varDir)).toEqual({
      databaseUrl: 'postgres://u@db.example/layer',
      varDir: 'var',
      poolMax: 3,
    });
  });
});
