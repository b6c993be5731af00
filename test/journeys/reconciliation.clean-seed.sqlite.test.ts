// A clean `large` seed, brought in step by the journeys, reports nothing on SQLite: the suite in
// support/clean-seed-suite.ts on its own harness (startCrmHarness), one file per engine.
import { cleanSeedSuite } from './support/clean-seed-suite.js';

// Each engine's run waited about 135 s on Harvest's rate limit while the checks listed its 200,000
// entries 200 a page; read 2,000 a page it takes under a minute (README, reconcile benchmark).
// Where PostgreSQL is at hand (CI) the large seed runs there, and here only when asked, to keep
// the suite's time in bounds. The journeys' seeded-mismatch tests run on both engines.
const both = process.env.CLEAN_SEED_ALL_ENGINES === '1';
cleanSeedSuite('sqlite', process.env.TEST_DATABASE_URL && !both ? 'runs on PostgreSQL (set CLEAN_SEED_ALL_ENGINES=1 for both)' : undefined);
