// A clean `large` seed, brought in step by the journeys, reports nothing on PostgreSQL: the suite in
// support/clean-seed-suite.ts on its own harness (startCrmHarness), one file per engine.
import { cleanSeedSuite } from './support/clean-seed-suite.js';

cleanSeedSuite('postgres');
