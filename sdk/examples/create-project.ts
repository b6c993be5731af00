// The worked example of docs/partners.md: create the project for a won opportunity through the
// CRM experience API v2 with the SDK, then read where provisioning stands. Runs against the
// layer or the mock: GATEWAY_URL=http://127.0.0.1:4010 TOKEN=… npx tsx sdk/examples/create-project.ts <opportunityId>
import { pathToFileURL } from 'node:url';
import { createCrmV2Client } from '../../generated/sdk/crm.v2.js';
import { expectData, ProblemDetailsError } from '../runtime.js';

export async function createProject(gatewayUrl: string, token: string, opportunityId: string) {
  const crm = createCrmV2Client({ gatewayUrl, token, retry: { maxAttempts: 4, maxDelayMs: 10_000 } });
  const path = { opportunityId };
  // An unsafe call: the SDK adds an Idempotency-Key and sends the same one again if it retries
  // (on 429/503, after Retry-After; on a network error), so the project is created once.
  const started = await expectData(crm.POST('/opportunities/{opportunityId}/project', { params: { path, header: { Prefer: 'wait=10' } } }));
  // 200 when provisioning finished within the wait, 202 while it continues: read it again later.
  const current = await expectData(crm.GET('/opportunities/{opportunityId}/project', { params: { path } }));
  return { started, current };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [opportunityId] = process.argv.slice(2);
  const { GATEWAY_URL = 'http://127.0.0.1:8080', TOKEN = '' } = process.env;
  createProject(GATEWAY_URL, TOKEN, opportunityId ?? '').then(
    ({ current }) => console.log(`${current.opportunityId}: ${current.status}${current.project ? ` (project ${current.project.id})` : ''}`),
    (error: unknown) => {
      if (error instanceof ProblemDetailsError)
        console.error(`${error.status} ${error.problem.title}: ${error.problem.detail ?? ''}`, error.problem.errors ?? '');
      else console.error(error);
      process.exitCode = 1;
    },
  );
}
