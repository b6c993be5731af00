// Idempotency-Key refusals and outcomes that are not stored, over real HTTP on both engines.
import { afterAll, beforeAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { isStoredOutcome } from './index.js';
import { post, startTestApp, type TestApp } from '../../test/support/idempotency-app.js';

describe('which outcomes are stored', () => {
  it('stores 2xx and business 4xx, never 5xx, validation, auth, conflicts or throttling', () => {
    for (const s of [200, 201, 202, 204, 303, 404, 410, 412, 422]) expect(isStoredOutcome(s)).toBe(true);
    for (const s of [400, 401, 403, 408, 409, 413, 415, 429, 500, 502, 503, 504]) expect(isStoredOutcome(s)).toBe(false);
  });
});

describe.each(testEngines())('Idempotency-Key refusals on $name', (engine) => {
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

  it('a missing key on an operation that requires one is a 400 problem and no effect', async () => {
    const res = await post(app, '/orders', undefined, { item: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/idempotency-key-missing', status: 400 });
    expect(app.effects()).toBe(0);
  });

  it.each([
    ['a token, not a string', 'abc-123'],
    ['an unterminated string', '"abc'],
    ['an empty string', '""'],
    ['an integer', '42'],
    ['two values', '"a", "b"'],
    ['a key too long', `"${'k'.repeat(256)}"`],
  ])('a malformed key (%s) is a 400 problem and no effect', async (_what, header) => {
    const res = await post(app, '/orders', header, { item: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/idempotency-key-malformed', status: 400 });
    expect(app.effects()).toBe(0);
    expect(await store.db.selectFrom('idempotency_keys').selectAll().execute()).toEqual([]);
  });

  it('a 5xx is not stored: the key is released and a retry runs the operation', async () => {
    const failed = await post(app, '/orders', '"flaky"', { item: 'x', tag: 'flaky', failTimes: 1 });
    expect(failed.status).toBe(500);
    expect(app.effects()).toBe(0);
    const retried = await post(app, '/orders', '"flaky"', { item: 'x', tag: 'flaky', failTimes: 1 });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await post(app, '/orders', '"flaky"', { item: 'x', tag: 'flaky', failTimes: 1 });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(retried.body);
    expect(app.effects()).toBe(1);
  });

  it('a validation failure is not stored: the client may correct the request under the same key', async () => {
    const invalid = await post(app, '/orders', '"fix-me"', { status: 400 });
    expect(invalid.status).toBe(400);
    const corrected = await post(app, '/orders', '"fix-me"', { item: 'valid' });
    expect(corrected.status).toBe(201);
    expect(app.effects()).toBe(1);
  });
});
