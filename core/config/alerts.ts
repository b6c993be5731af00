// The layer's own alerts: the rules of deploy/prometheus/alerts.yml evaluated in the layer and sent
// as signed webhooks to one receiver. Off unless ALERT_WEBHOOK_URL is set.
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../project-root.js';
import { ConfigError, httpUrl, positiveInt, read, type Env } from './parse.js';

export interface AlertsConfig {
  /** Where firing and resolved alerts are sent; unset: the layer evaluates no alerts of its own. */
  webhookUrl?: string;
  /** The receiver's `whsec_` signing secret (Standard Webhooks), required with webhookUrl. */
  webhookSecret?: string;
  /** How often the rules are evaluated (Prometheus' evaluation_interval). */
  evaluateEveryMs: number;
  /** The rule file: the one Prometheus loads, unless a firm's copy lives elsewhere. */
  rulesFile: string;
}

export function alertsConfig(env: Env): AlertsConfig {
  const webhookUrl = read(env, 'ALERT_WEBHOOK_URL', httpUrl.optional());
  const webhookSecret = read(
    env,
    'ALERT_WEBHOOK_SECRET',
    z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be whsec_ followed by base64 (at least 16 characters)')
      .optional(),
  );
  if (webhookUrl && !webhookSecret)
    throw new ConfigError('ALERT_WEBHOOK_SECRET', 'is missing: the alert receiver checks signatures made with it');
  return {
    webhookUrl,
    webhookSecret,
    evaluateEveryMs: read(env, 'ALERTS_EVALUATE_EVERY_MS', positiveInt.min(100).default(30_000)),
    rulesFile: read(env, 'ALERT_RULES_FILE', z.string().default(join(PROJECT_ROOT, 'deploy/prometheus/alerts.yml'))),
  };
}
