// Thin routes of the CRM experience API, one router per major version: the same process
// calls, shaped by that version's mapping. No business rules here.
import { Router } from 'express';
import { idempotencyFor } from '../../core/idempotency/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Infra } from '../../core/api-module.js';
import type { ProvisioningWithProject } from '../../process-apis/opportunity-to-project/index.js';
import { accountFigures, type AccountFigures, type AccountSources } from './account-figures.js';
import { waitMsFrom } from './prefer.js';
import { overviewV1, provisioningV1 } from './v1.js';
import { overviewV2, provisioningV2 } from './v2.js';

interface VersionShapes {
  major: 1 | 2;
  provisioning(p: ProvisioningWithProject, statusUrl: string): object;
  overview(f: AccountFigures): object;
}

export const V1: VersionShapes = { major: 1, provisioning: provisioningV1, overview: overviewV1 };
export const V2: VersionShapes = { major: 2, provisioning: provisioningV2, overview: overviewV2 };

/** Invalid terms are the caller's to fix: a 422 with one error per term. */
function rejected(p: ProvisioningWithProject): ProblemError {
  return new ProblemError('business-rule-violation', {
    detail: p.error?.detail ?? 'The contract terms cannot be provisioned.',
    errors: p.error?.errors ?? [],
    extensions: { opportunityId: p.opportunityId },
  });
}

/** What the CRM experience API may call: the process APIs an account page and a provisioning read. */
export interface CrmExperienceCalls {
  infra: Infra;
  processApis: AccountSources;
}

export function crmExperienceRoutes(shapes: VersionShapes) {
  return ({ infra, processApis }: CrmExperienceCalls): Router => {
    const router = Router();
    const statusUrl = (opportunityId: string) => `/experience/crm/v${shapes.major}/opportunities/${opportunityId}/project`;

    router.post('/opportunities/:opportunityId/project', idempotencyFor(infra), async (req, res) => {
      const opportunityId = String(req.params.opportunityId);
      await processApis.opportunityToProject.provision(opportunityId, 'api');
      const p = await processApis.opportunityToProject.awaitProvisioning(opportunityId, waitMsFrom(req.get('prefer')));
      if (p.status === 'rejected') throw rejected(p);
      const body = shapes.provisioning(p, statusUrl(opportunityId));
      res.set('Cache-Control', 'no-store');
      if (p.status === 'completed' || p.status === 'failed') return void res.status(200).json(body);
      res.status(202).location(statusUrl(opportunityId)).json(body);
    });

    router.get('/opportunities/:opportunityId/project', async (req, res) => {
      const opportunityId = String(req.params.opportunityId);
      const p = await processApis.opportunityToProject.getProvisioning(opportunityId);
      res.set('Cache-Control', 'no-store').json(shapes.provisioning(p, statusUrl(opportunityId)));
    });

    router.get('/accounts/:accountId/overview', async (req, res) => {
      res.set('Cache-Control', 'no-store').json(shapes.overview(await accountFigures(processApis, String(req.params.accountId))));
    });
    return router;
  };
}
