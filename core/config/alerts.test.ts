// The layer's own alerts' settings: off by default, a secret required with the receiver, one line naming a bad variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const SECRET = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=';

describe('alert webhook configuration', () => {
  it('is off without a receiver, and evaluates every 30 s the shipped rule file', () => {
    const alerts = loadConfig({}).alerts;
    expect(alerts.webhookUrl, 'no receiver').toBeUndefined();
    expect(alerts.evaluateEveryMs, 'as Prometheus evaluation_interval').toBe(30_000);
    expect(alerts.rulesFile, 'the file Prometheus loads').toMatch(/deploy\/prometheus\/alerts\.yml$/);
  });

  it('takes a receiver with its secret', () => {
    const alerts = loadConfig({
      ALERT_WEBHOOK_URL: 'https://alerts.example.com/in',
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERTS_EVALUATE_EVERY_MS: '1000',
    }).alerts;
    expect(alerts, 'as given').toMatchObject({ webhookUrl: 'https://alerts.example.com/in', webhookSecret: SECRET, evaluateEveryMs: 1000 });
  });

  it('refuses a receiver without a secret, a secret that is not whsec_, or a non-HTTP URL, naming the variable in one line', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ ALERT_WEBHOOK_URL: 'https://alerts.example.com/in' }, 'ALERT_WEBHOOK_SECRET'],
      [{ ALERT_WEBHOOK_URL: 'https://alerts.example.com/in', ALERT_WEBHOOK_SECRET: 'hunter2' }, 'ALERT_WEBHOOK_SECRET'],
      [{ ALERT_WEBHOOK_URL: 'ftp://alerts.example.com/in', ALERT_WEBHOOK_SECRET: SECRET }, 'ALERT_WEBHOOK_URL'],
      [{ ALERTS_EVALUATE_EVERY_MS: '10' }, 'ALERTS_EVALUATE_EVERY_MS'],
    ];
    for (const [env, variable] of cases) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable, `${JSON.stringify(env)}: the variable named`).toBe(variable);
      expect((error as ConfigError).message, 'one line').not.toContain('\n');
    }
  });
});
