// The alert receiver's subscription: created once under its fixed id, brought in line with a changed
// configuration, left disabled after the receiver's own 410 until its URL or secret changes, and
// refused for a private address as every webhook is.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { generateWebhookSecret, getSubscription, setSubscriptionState } from '../events/index.js';
import type { Store } from '../store/index.js';
import { ALERT_RECEIVER_SUBSCRIPTION_ID, ensureAlertReceiver } from './receiver.js';
import { ALERT_EVENT_PATTERN } from './store.js';

describe.each(testEngines())('the alert receiver subscription on $name', (engine) => {
  let store: Store;
  const warnings: string[] = [];
  const options = { allowPrivateUrls: false, requireHttps: true, logger: { warn: (_o: object, msg: string) => void warnings.push(msg) } };
  beforeEach(async () => {
    store = await migratedStore(engine);
    warnings.length = 0;
  });
  afterEach(() => store.close());
  afterAll(() => engine.cleanup());

  it('is one subscription to the alert events, kept in line with the configuration', async () => {
    const secret = generateWebhookSecret();
    await ensureAlertReceiver(store.db, { url: 'https://93.184.216.34/alerts', secret }, options);
    await ensureAlertReceiver(store.db, { url: 'https://93.184.216.34/alerts', secret }, options);
    const rows = await store.db.selectFrom('webhook_subscriptions').select('id').execute();
    expect(rows, 'one row however often the layer starts').toEqual([{ id: ALERT_RECEIVER_SUBSCRIPTION_ID }]);
    expect(await getSubscription(store.db, ALERT_RECEIVER_SUBSCRIPTION_ID), 'as configured').toMatchObject({
      url: 'https://93.184.216.34/alerts',
      secret,
      eventTypes: [ALERT_EVENT_PATTERN],
      state: 'active',
    });

    // The receiver answered 410: it stays disabled at the next start with the same settings, saying so.
    await setSubscriptionState(store.db, ALERT_RECEIVER_SUBSCRIPTION_ID, 'disabled', 'HTTP 410');
    await ensureAlertReceiver(store.db, { url: 'https://93.184.216.34/alerts', secret }, options);
    expect((await getSubscription(store.db, ALERT_RECEIVER_SUBSCRIPTION_ID)).state, 'its own word is kept').toBe('disabled');
    expect(warnings, 'and the log says so').toEqual([expect.stringContaining('disabled')]);

    const rotated = generateWebhookSecret();
    await ensureAlertReceiver(store.db, { url: 'https://93.184.216.34/alerts', secret: rotated }, options);
    expect(await getSubscription(store.db, ALERT_RECEIVER_SUBSCRIPTION_ID), 'a new secret re-enables it').toMatchObject({
      secret: rotated,
      state: 'active',
    });
  });

  it('refuses a private or plain-http receiver as every webhook is (SSRF)', async () => {
    const secret = generateWebhookSecret();
    await expect(ensureAlertReceiver(store.db, { url: 'https://10.0.0.5/alerts', secret }, options), 'private').rejects.toThrow();
    await expect(
      ensureAlertReceiver(store.db, { url: 'http://93.184.216.34/alerts', secret }, options),
      'plain http in production',
    ).rejects.toThrow();
    expect(await store.db.selectFrom('webhook_subscriptions').select('id').execute(), 'nothing stored').toEqual([]);
  });
});
