// A clean `large` seed, brought in step by the journeys, reports nothing on SQLite: the suite in
// support/clean-seed-suite.ts on its own harness (startCrmHarness), one file per engine.
import { cleanSeedSuite } from './support/clean-seed-suite.js';

// Read 2,000 entries a page (Harvest's largest), the checks list the seed's 200,000 entries in
// about half a minute, so the large seed runs on every engine in every run.
cleanSeedSuite('sqlite');
