import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests start real servers on port 0 and talk HTTP to them; forks keep native
// modules (better-sqlite3) and process-level state isolated per file.
const include = ['**/*.test.ts'];
const exclude = ['node_modules/**', 'var/**', 'dist/**'];

// A test file is a unit test when nothing in it opens a store, a server, a sandbox, a browser or
// a child process; `npm run test:unit` runs only those, and test/support/no-sockets.ts fails any
// of them that opens a socket after all, so a misfiled test is caught rather than slow.
const NEEDS_IO =
  /testEngines|migratedStore|openStore|createStore|stores\.js|better-sqlite3|listen\(|createServer|startGateway|Harness|supertest|from 'undici'|fetch\(|Sandbox\(|start[A-Z]\w*\(|spawn|fork\(|execFile|exec\(|playwright/;
const unitFiles = readdirSync('.', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts') && !/^(node_modules|var|dist)\//.test(file))
  .filter((file) => !NEEDS_IO.test(readFileSync(file, 'utf8')))
  .sort();

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    projects: [
      { extends: true, test: { name: 'unit', include: unitFiles, setupFiles: ['test/support/no-sockets.ts'] } },
      { extends: true, test: { name: 'integration', include, exclude: [...exclude, ...unitFiles] } },
    ],
  },
});
