// Structured JSON logs (pino); readable output in development on a terminal.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { RuntimeConfig } from '../config/runtime.js';

export type { Logger } from 'pino';

/** Header and field names whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.apiToken',
  '*.secret',
];

/** `destination` defaults to stdout; the benchmark passes /dev/null to keep the production format and cost. */
export function createLogger(
  runtime: Pick<RuntimeConfig, 'nodeEnv' | 'logLevel'>,
  name = 'ps-layer',
  destination?: DestinationStream,
): Logger {
  const pretty = runtime.nodeEnv === 'development' && process.stdout.isTTY && !destination;
  const options = {
    name,
    level: runtime.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
          },
        }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
