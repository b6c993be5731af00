// Idempotency-Key over real HTTP on both engines: replay, reuse with another payload,
// consumer scoping, retention and purge.
import { afterAll, beforeAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { purgeExpiredIdempotencyKeys } from './index.js';
import { post, startTestApp, type TestApp } from '../../test/support/idempotency-app.js';

describe.each(testEngines())('Idempotency-Key on $name', (engine) => {
  let store: Store;
  let app: TestApp;
  beforeAll(async () => {
    store = await migratedStore(engine);
  });
  afterAll(async () => {
    await store.close();
    await engine.cleanup();
  });
  beforeEach(async () => {
    app = await startTestApp(store);
  });
  afterEach(() => app.close());

  it('replays the first response for the same key and payload, without a second effect', async () => {
    const first = await post(app, '/orders', '"replay-1"', { item: 'laptop' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await post(app, '/orders', '"replay-1"', { item: 'laptop' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.body).toEqual(first.body);
    expect(app.effects()).toBe(1);
  });

  it('treats the same JSON with keys in another order as the same request', async () => {
    const first = await post(app, '/orders', '"order-of-keys"', { item: 'desk', tag: 't' });
    const again = await post(app, '/orders', '"order-of-keys"', { tag: 't', item: 'desk' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(app.effects()).toBe(1);
  });

  it('answers 422 when the key comes back with another payload, and still replays the original', async () => {
    await post(app, '/orders', '"reuse-1"', { item: 'chair' });
    const other = await post(app, '/orders', '"reuse-1"', { item: 'table' });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ type: '/problems/idempotency-key-reused', status: 422 });
    expect(app.effects()).toBe(1);
    const original = await post(app, '/orders', '"reuse-1"', { item: 'chair' });
    expect(original.headers.get('idempotent-replayed')).toBe('true');
  });

  it('scopes keys to the consumer: two consumers with one key never see each other', async () => {
    const a = await post(app, '/orders', '"shared-key"', { item: 'from-a' }, { consumer: 'consumer-a' });
    const b = await post(app, '/orders', '"shared-key"', { item: 'from-b' }, { consumer: 'consumer-b' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(app.effects()).toBe(2);
    const againB = await post(app, '/orders', '"shared-key"', { item: 'from-b' }, { consumer: 'consumer-b' });
    expect(againB.body).toEqual(b.body);
    expect(againB.body).not.toEqual(a.body);
  });

  it('stores a business 4xx outcome and replays it', async () => {
    const first = await post(app, '/orders', '"business-422"', { status: 422 });
    expect(first.status).toBe(422);
    expect(first.body).toMatchObject({ type: '/problems/business-rule-violation' });
    const again = await post(app, '/orders', '"business-422"', { status: 422 });
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toEqual(first.body);
  });

  it('after the retention the key is new again, and the purge deletes what expired', async () => {
    await post(app, '/orders', '"retained"', { item: 'one' });
    app.clock.now += 23 * 3_600_000;
    expect((await post(app, '/orders', '"retained"', { item: 'two' })).status).toBe(422);

    app.clock.now += 1 * 3_600_000 + 1;
    const fresh = await post(app, '/orders', '"retained"', { item: 'two' });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(app.effects()).toBe(2);

    await post(app, '/orders', '"purge-me"', { item: 'three' });
    const before = await store.db
      .selectFrom('idempotency_keys')
      .select('idempotency_key')
      .where('idempotency_key', '=', 'purge-me')
      .execute();
    expect(before).toHaveLength(1);
    expect(await purgeExpiredIdempotencyKeys(store, app.clock.now + 24 * 3_600_000)).toBeGreaterThanOrEqual(2);
    const left = await store.db.selectFrom('idempotency_keys').select('idempotency_key').execute();
    expect(left).toEqual([]);
  });

  it('on an operation where the key is optional, requests without it run every time', async () => {
    await post(app, '/optional', undefined, {});
    await post(app, '/optional', undefined, {});
    expect(app.effects()).toBe(2);
    await post(app, '/optional', '"opt"', {});
    const replay = await post(app, '/optional', '"opt"', {});
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(app.effects()).toBe(3);
  });
});
