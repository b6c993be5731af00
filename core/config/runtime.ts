// Process-wide settings: environment, listening address, logging.
import { z } from 'zod';
import { read, port, type Env } from './parse.js';

export interface RuntimeConfig {
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** Public base URL printed at start and used in links; defaults to http://host:port. */
  publicUrl?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where local state lives (SQLite file, development keys). */
  varDir: string;
}

export function runtimeConfig(env: Env): RuntimeConfig {
  const nodeEnv = read(env, 'NODE_ENV', z.enum(['development', 'test', 'production']).default('development'));
  return {
    nodeEnv,
    host: read(env, 'HOST', z.string().default('127.0.0.1')),
    port: read(env, 'PORT', port.default(8080)),
    publicUrl: read(env, 'PUBLIC_URL', z.url().optional()),
    logLevel: read(
      env,
      'LOG_LEVEL',
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(nodeEnv === 'test' ? 'silent' : 'info'),
    ),
    varDir: read(env, 'VAR_DIR', z.string().default('var')),
  };
}
