// A clean `large` seed, brought in step by the journeys, reports nothing on SQLite (support/clean-seed-suite.ts).
import { cleanSeedSuite } from './support/clean-seed-suite.js';

cleanSeedSuite('sqlite');
