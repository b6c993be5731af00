// The one configuration schema, validated once at start-up. Each section lives in its
// own file; a bad value throws a ConfigError naming the variable.
import { runtimeConfig, type RuntimeConfig } from './runtime.js';
import { storeConfig, type StoreConfig } from './store.js';
import { gatewayConfig, type GatewayConfig } from './gateway.js';
import { platformsConfig, type PlatformsConfig } from './platforms.js';
import { jobsConfig, type JobsConfig } from './jobs.js';
import { alertsConfig, type AlertsConfig } from './alerts.js';
import type { Env } from './parse.js';

export { ConfigError } from './parse.js';
export type { Env } from './parse.js';

export interface Config {
  runtime: RuntimeConfig;
  store: StoreConfig;
  gateway: GatewayConfig;
  platforms: PlatformsConfig;
  jobs: JobsConfig;
  alerts: AlertsConfig;
}

export function loadConfig(env: Env = process.env): Config {
  const runtime = runtimeConfig(env);
  return {
    runtime,
    store: storeConfig(env),
    gateway: gatewayConfig(env, runtime),
    platforms: platformsConfig(env, runtime),
    jobs: jobsConfig(env, runtime),
    alerts: alertsConfig(env),
  };
}
