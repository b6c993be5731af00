// Idempotency-Key under concurrency over real HTTP on both engines: a request still in
// flight, an owner that died holding the key, and 20 identical requests at once.
import { afterAll, beforeAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { post, startTestApp, type TestApp } from '../../test/support/idempotency-app.js';

describe.each(testEngines())('Idempotency-Key concurrency on $name', (engine) => {
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
    app = await startTestApp(store, { lockSeconds: 60 });
  });
  afterEach(() => app.close());

  it('answers 409 with Retry-After while the first request is in flight, then replays it', async () => {
    const first = post(app, '/orders', '"slow"', { item: 'x' }, { gate: 'slow' });
    await app.entered('slow');
    const meanwhile = await post(app, '/orders', '"slow"', { item: 'x' }, { gate: 'slow' });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body).toMatchObject({ type: '/problems/idempotency-request-in-flight', status: 409 });
    expect(Number(meanwhile.headers.get('retry-after'))).toBeGreaterThan(0);
    app.open('slow');
    const done = await first;
    expect(done.status).toBe(201);
    const after = await post(app, '/orders', '"slow"', { item: 'x' }, { gate: 'slow' });
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body).toEqual(done.body);
    expect(app.effects()).toBe(1);
  });

  it('a different payload under an in-flight key is still a 422, not a 409', async () => {
    const first = post(app, '/orders', '"slow-2"', { item: 'x' }, { gate: 'slow-2' });
    await app.entered('slow-2');
    expect((await post(app, '/orders', '"slow-2"', { item: 'other' })).status).toBe(422);
    app.open('slow-2');
    await first;
  });

  it('a key held by an owner that never finished is taken over once its lock lapses', async () => {
    // The first request hangs (as if its process had died holding the key).
    const hung = post(app, '/orders', '"orphan"', { item: 'x' }, { gate: 'orphan' });
    await app.entered('orphan');
    expect((await post(app, '/orders', '"orphan"', { item: 'x' }, { gate: 'orphan' })).status).toBe(409);

    app.clock.now += 60_000 + 1;
    const takeover = await post(app, '/orders', '"orphan"', { item: 'x' });
    expect(takeover.status).toBe(201);
    expect(takeover.headers.get('idempotent-replayed')).toBeNull();

    // The old owner finishing late cannot overwrite the stored outcome of the new one.
    app.open('orphan');
    expect((await hung).status).toBe(201);
    expect(app.effects()).toBe(2);
    const replay = await post(app, '/orders', '"orphan"', { item: 'x' }, { gate: 'orphan' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(takeover.body);
  });

  it('20 identical requests at once: exactly one effect, every answer the one response or a 409', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(app, '/orders', '"stampede"', { item: 'x', workMs: 25 })));
    expect(app.effects()).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    const inFlight = answers.filter((a) => a.status === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    for (const a of created) expect(a.body).toEqual(created[0].body);
    for (const a of inFlight) expect(a.body).toMatchObject({ type: '/problems/idempotency-request-in-flight' });
    const rows = await store.db.selectFrom('idempotency_keys').selectAll().where('idempotency_key', '=', 'stampede').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('completed');
  });
});
