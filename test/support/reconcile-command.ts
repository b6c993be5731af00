// `npm run reconcile` with a fake check beside the journeys' own, for the command's spawned test:
// the check finds one won deal without a project (a safe repair) on every pass.
import { main } from '../../scripts/reconcile/main.js';
import { fakeCheck, wonDealWithoutProject } from './reconciliation-checks.js';

const check = fakeCheck({ name: 'fake-won-deals' });
check.findings = [wonDealWithoutProject('006CMD001', { safe: true, amountMinor: 1_234_500 })];
check.comparedPerRun = 40;
const code = await main(process.argv.slice(2), process.env, (line) => console.log(line), { extraChecks: [check] });
process.stdout.write('', () => process.exit(code));
