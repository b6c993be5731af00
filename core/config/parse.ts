// Small helpers shared by the config sections: each turns one environment variable
// into a typed value or throws a ConfigError naming the variable.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads one variable through a zod schema; an empty string counts as unset. */
export function read<T extends z.ZodType>(env: Env, name: string, schema: T): z.output<T> {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const shown = value === undefined ? 'is missing' : `has value ${JSON.stringify(value)}, which`;
    throw new ConfigError(name, `${shown} ${value === undefined ? '' : 'is invalid: '}${issue?.message ?? 'invalid'}`.trim());
  }
  return result.data;
}

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().min(0);
export const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
export const httpUrl = z.url({ protocol: /^https?$/ });
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);
