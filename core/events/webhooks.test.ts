// Webhook delivery through real HTTP: Standard Webhooks signatures, retries on non-2xx,
// Retry-After, 410 disabling the subscription, no redirects, and SSRF refusals.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { startWebhookReceiver as receiver } from '../../test/support/webhook-receiver.js';
import type { Store } from '../store/index.js';
import {
  assertWebhookUrlAllowed,
  buildEnvelope,
  createSubscription,
  emit,
  EventDispatcher,
  getSubscription,
  isPublicAddress,
  listSubscriptions,
  publicOnlyLookup,
  verifyWebhook,
} from './index.js';
import { WebhookSender } from './webhook-sender.js';

describe.each(testEngines())('webhook delivery on $name', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await migratedStore(engine);
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  it('refuses a plain-http subscription where https is required, and stores nothing', async () => {
    await expect(
      createSubscription(store.db, { url: 'http://93.184.216.34/x', eventTypes: ['*'] }, { allowPrivateUrls: false, requireHttps: true }),
    ).rejects.toMatchObject({ status: 400, type: 'validation-failed' });
    expect(await listSubscriptions(store.db)).toEqual([]);
  });

  const dispatcherFor = (s: Store) => new EventDispatcher({ store: s, allowPrivateUrls: true, backoff: { baseDelayMs: 1, maxDelayMs: 1 } });

  it('validates a new subscription', async () => {
    await expect(
      createSubscription(store.db, { url: 'https://93.184.216.34/x', eventTypes: [] }, { allowPrivateUrls: false }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      createSubscription(store.db, { url: 'https://93.184.216.34/x', eventTypes: ['*'], secret: 'plain' }, { allowPrivateUrls: false }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      createSubscription(store.db, { url: 'http://10.0.0.5/x', eventTypes: ['*'] }, { allowPrivateUrls: false }),
    ).rejects.toMatchObject({ status: 400 });
    const ok = await createSubscription(
      store.db,
      { url: 'https://93.184.216.34/x', eventTypes: ['billing.*'] },
      { allowPrivateUrls: false },
    );
    expect(await getSubscription(store.db, ok.id)).toMatchObject({ state: 'active', eventTypes: ['billing.*'] });
    await expect(getSubscription(store.db, 'missing')).rejects.toMatchObject({ status: 404 });
  });

  it('sends a signed CloudEvent that the receiver can verify', async () => {
    const hook = await receiver([]);
    const sub = await createSubscription(store.db, { url: hook.url, eventTypes: ['billing.*'] }, { allowPrivateUrls: true });
    expect(sub.secret).toMatch(/^whsec_/);
    const dispatcher = dispatcherFor(store);
    const event = await emit(store.db, { type: 'billing.invoice.posted', source: '/erp', data: { invoiceId: 'inv-1' } });
    await emit(store.db, { type: 'crm.account.updated', source: '/crm' });
    await dispatcher.drain();
    await dispatcher.stop();
    await hook.close();
    expect(hook.received).toHaveLength(1);
    const [req] = hook.received;
    expect(req.headers['content-type']).toBe('application/cloudevents+json');
    expect(req.headers['webhook-id']).toBe(event.id);
    expect(req.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verdict = verifyWebhook(
      [sub.secret],
      {
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
      },
      req.body,
    );
    expect(verdict).toBeNull();
    expect(
      verifyWebhook(
        ['whsec_' + Buffer.from('another-secret-entirely').toString('base64')],
        { id: event.id, timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']) },
        req.body,
      ),
    ).toBe('bad-signature');
    expect(JSON.parse(req.body.toString())).toMatchObject({ id: event.id, specversion: '1.0', data: { invoiceId: 'inv-1' } });
  });

  it('retries non-2xx answers (redirects included) until a 2xx', async () => {
    const hook = await receiver([{ status: 500 }, { status: 302, headers: { location: 'http://169.254.169.254/' } }, { status: 200 }]);
    await createSubscription(store.db, { url: hook.url, eventTypes: ['*'] }, { allowPrivateUrls: true });
    const dispatcher = dispatcherFor(store);
    await emit(store.db, { type: 't', source: '/s' });
    await dispatcher.dispatchOnce();
    for (let i = 0; i < 3; i++) {
      // Stays: lets each retry's short backoff fall due (a time window); nothing asserts on timing.
      await new Promise((r) => setTimeout(r, 5));
      await dispatcher.deliverDueOnce();
    }
    await dispatcher.stop();
    await hook.close();
    expect(hook.received).toHaveLength(3);
    const row = await store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('delivered');
    expect(Number(row.attempts)).toBe(3);
  });

  it('honours Retry-After on a 429', async () => {
    const hook = await receiver([{ status: 429, headers: { 'retry-after': '120' } }]);
    await createSubscription(store.db, { url: hook.url, eventTypes: ['*'] }, { allowPrivateUrls: true });
    const dispatcher = dispatcherFor(store);
    await emit(store.db, { type: 't', source: '/s' });
    const before = Date.now();
    await dispatcher.drain();
    await dispatcher.stop();
    await hook.close();
    const row = await store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'pending', last_status: 429 });
    expect(Number(row.next_attempt_ms)).toBeGreaterThanOrEqual(before + 120_000);
    expect(hook.received).toHaveLength(1);
  });

  it('disables the subscription on 410 and sends it nothing more', async () => {
    const hook = await receiver([{ status: 410 }]);
    const sub = await createSubscription(store.db, { url: hook.url, eventTypes: ['*'] }, { allowPrivateUrls: true });
    const dispatcher = dispatcherFor(store);
    await emit(store.db, { type: 't', source: '/s' });
    await dispatcher.drain();
    await emit(store.db, { type: 't2', source: '/s' });
    await dispatcher.drain();
    await dispatcher.stop();
    await hook.close();
    expect(hook.received).toHaveLength(1);
    expect((await getSubscription(store.db, sub.id)).state).toBe('disabled');
    const rows = await store.db.selectFrom('event_deliveries').selectAll().execute();
    expect(rows.map((r) => r.state)).toEqual(['dead']);
  });

  it('refuses to send to a private address when private URLs are not allowed', async () => {
    const hook = await receiver([]);
    // Created while private URLs were allowed; the sending dispatcher no longer allows them.
    await createSubscription(store.db, { url: hook.url, eventTypes: ['*'] }, { allowPrivateUrls: true });
    const dispatcher = new EventDispatcher({ store, allowPrivateUrls: false });
    await emit(store.db, { type: 't', source: '/s' });
    await dispatcher.drain();
    await dispatcher.stop();
    await hook.close();
    expect(hook.received).toHaveLength(0);
    const row = await store.db.selectFrom('event_deliveries').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect(row.last_error).toMatch(/non-public/);
  });
});

describe('webhook URL checks (SSRF)', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fe80::1]/',
    'http://[fd12:3456::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[::]/',
    // IPv4 embedded in IPv6: IPv4-compatible, NAT64 (well-known and local-use prefixes), 6to4, Teredo.
    'http://[::127.0.0.1]/',
    'http://[::169.254.169.254]/',
    'http://[64:ff9b:1::a9fe:a9fe]/',
    'http://[64:ff9b::808:808]/',
    'http://[2002:a9fe:a9fe::1]/',
    'http://[2001::1]/',
    // Other special-use ranges: shared address space, benchmarking, documentation, 6bone-era and discard.
    'http://100.64.0.1/',
    'http://198.18.0.1/',
    'http://192.88.99.1/',
    'http://255.255.255.255/',
    'http://[2001:db8::1]/',
    'http://[100::1]/',
    'http://[3fff::1]/',
  ])('refuses %s', async (url) => {
    await expect(assertWebhookUrlAllowed(url, false)).rejects.toMatchObject({ type: 'validation-failed', status: 400 });
  });

  it.each(['ftp://93.184.216.34/x', 'http://user:pw@93.184.216.34/', 'not a url'])('refuses malformed or non-http %s', async (url) => {
    await expect(assertWebhookUrlAllowed(url, true)).rejects.toMatchObject({ type: 'validation-failed' });
  });

  it('refuses plain http when https is required (production), at subscription and at delivery', async () => {
    await expect(assertWebhookUrlAllowed('http://93.184.216.34/hook', { allowPrivate: false, requireHttps: true })).rejects.toMatchObject({
      type: 'validation-failed',
    });
    await expect(
      assertWebhookUrlAllowed('https://93.184.216.34/hook', { allowPrivate: false, requireHttps: true }),
    ).resolves.toBeInstanceOf(URL);
    const hook = await receiver([]);
    const sender = new WebhookSender({ allowPrivateUrls: true, requireHttps: true });
    const event = { ...buildEnvelope({ source: '/test', type: 'test.sent', data: {} }), seq: 1 };
    const outcome = await sender.send({ url: hook.url, secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' }, event, '{}');
    await sender.close();
    await hook.close();
    expect(outcome).toMatchObject({ ok: false, gone: false });
    expect(hook.received).toEqual([]);
  });

  it('accepts public literal addresses, and private ones only when allowed', async () => {
    await expect(assertWebhookUrlAllowed('https://93.184.216.34/hook', false)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookUrlAllowed('https://[2606:4700:4700::1111]/hook', false)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookUrlAllowed('http://127.0.0.1/hook', true)).resolves.toBeInstanceOf(URL);
  });

  it('classifies addresses of both families', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:7f00:1')).toBe(false);
    expect(isPublicAddress('172.31.255.255')).toBe(false);
    expect(isPublicAddress('172.32.0.1')).toBe(true);
    expect(isPublicAddress('not-an-ip')).toBe(false);
  });

  it('refuses at connect time a host name that resolves to a private address', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(error?.code).toBe('ESSRF');
  });
});
