// The layer's own alerts: the rules Prometheus loads (deploy/prometheus/alerts.yml) evaluated against
// the layer's registry, each firing and resolution sent once as a signed webhook to one receiver.
import type { Registry } from 'prom-client';
import type { AlertsConfig } from '../config/alerts.js';
import { ConfigError } from '../config/parse.js';
import { ProblemError } from '../problems.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import { AlertEvaluator } from './evaluator.js';
import { promAlertMetrics } from './metrics.js';
import { ensureAlertReceiver } from './receiver.js';
import { loadRuleFile, type RuleSet } from './rules.js';

export { AlertEvaluator, ALERTS_JOB, type AlertEvaluatorOptions } from './evaluator.js';
export { evaluateRules, fingerprint, type ActiveAlert, type AlertTransition } from './alert-state.js';
export { loadRuleFile, parseRuleFile, PROMETHEUS_ONLY, RuleFileError, type RuleSet } from './rules.js';
export { ALERT_RECEIVER_SUBSCRIPTION_ID, ensureAlertReceiver } from './receiver.js';
export { ALERT_EVENT_PATTERN, ALERT_FIRING_EVENT, ALERT_RESOLVED_EVENT, ALERT_EVENT_SOURCE, type AlertEventData } from './store.js';
export { promAlertMetrics, noopAlertMetrics, type AlertMetrics } from './metrics.js';
export { listAlerts, noAlertsPage, ALERTS_CURSOR, type AlertQuery, type AlertRecord } from './read.js';

export interface AlertWebhooksOptions {
  config: AlertsConfig;
  store: Store;
  registry: Registry;
  logger: Logger;
  allowPrivateUrls: boolean;
  requireHttps: boolean;
}

/**
 * Starts the evaluation when ALERT_WEBHOOK_URL is set (undefined otherwise). A rule file the layer
 * cannot evaluate, or a receiver URL the SSRF rules refuse, stops the start with one line saying why.
 */
export async function startAlertWebhooks(options: AlertWebhooksOptions): Promise<AlertEvaluator | undefined> {
  const { config, store, registry, logger } = options;
  if (!config.webhookUrl || !config.webhookSecret) return undefined;
  let rules: RuleSet;
  try {
    rules = loadRuleFile(config.rulesFile);
  } catch (err) {
    throw new ConfigError('ALERT_RULES_FILE', `cannot be evaluated by the layer: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await ensureAlertReceiver(
      store.db,
      { url: config.webhookUrl, secret: config.webhookSecret },
      { allowPrivateUrls: options.allowPrivateUrls, requireHttps: options.requireHttps, logger },
    );
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    throw new ConfigError('ALERT_WEBHOOK_URL', `is refused: ${err.message}`);
  }
  const evaluator = new AlertEvaluator({
    store,
    registry,
    rules,
    everyMs: config.evaluateEveryMs,
    logger,
    metrics: promAlertMetrics(registry),
  });
  evaluator.start();
  logger.info(
    { rules: rules.alerts.length, prometheusOnly: rules.prometheusOnly, everyMs: config.evaluateEveryMs, file: config.rulesFile },
    'evaluating the alert rules; firing and resolved alerts go to ALERT_WEBHOOK_URL',
  );
  return evaluator;
}
