// A clean `large` seed, brought in step by the journeys, reports nothing on PostgreSQL (support/clean-seed-suite.ts).
import { cleanSeedSuite } from './support/clean-seed-suite.js';

cleanSeedSuite('postgres');
