// Child process for the kill test: starts (or finds again, by run key) the jobs, runs
// workflows until every run is finished, then exits 0. The test SIGKILLs it at random points.
import { createStore } from '../../../core/store/index.js';
import { WorkflowEngine } from '../../../core/workflows/index.js';
import { chaosWorkflow } from './steps.js';

const [databaseUrl, downstreamUrl, jobsArg] = process.argv.slice(2);
const jobs = Number(jobsArg);
const store = createStore({ databaseUrl });
const engine = new WorkflowEngine({
  store,
  definitions: [chaosWorkflow(downstreamUrl, { maxAttempts: 50, baseDelayMs: 20, maxDelayMs: 200 })],
  leaseMs: 1_000,
  heartbeatMs: 200,
  concurrency: 3,
  pollMs: 50,
});
for (let job = 0; job < jobs; job++) await engine.startRun('chaos-provision', { job }, { runKey: `job-${job}` });
engine.start();
for (;;) {
  const open = await store.db.selectFrom('workflow_runs').select('id').where('state', 'in', ['pending', 'running', 'waiting']).execute();
  if (open.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
await engine.stop();
await store.close();
process.exit(0);
