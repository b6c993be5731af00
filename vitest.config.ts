import { defineConfig } from 'vitest/config';

// Tests start real servers on port 0 and talk HTTP to them; forks keep native
// modules (better-sqlite3) and process-level state isolated per file.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'var/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
