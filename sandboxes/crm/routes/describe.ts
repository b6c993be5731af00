// Metadata the clients read before they write: the version root's resource list (jsforce
// finds the identity URL there), describeGlobal, an object's basic info and its describe.
import type { Router } from 'express';
import type { SandboxContext } from '../../kit/app.js';
import { describeGlobalEntry, describeObject } from '../describe.js';
import type { SObjectName } from '../ids.js';
import { OBJECTS } from '../schema.js';
import type { CrmState } from '../state.js';
import { caller } from './guard.js';
import { identityUrl } from './identity.js';
import { objectOf } from './sobjects.js';

export function describeRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  router.get('/services/data/:version', (_req, res) => {
    const base = `/services/data/${caller(res).apiVersion}`;
    // Only the resources the sandbox implements; a real org lists several dozen more.
    res.json({
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      composite: `${base}/composite`,
      identity: identityUrl(ctx),
    });
  });

  router.get('/services/data/:version/sobjects', (_req, res) => {
    const apiVersion = caller(res).apiVersion;
    res.json({
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: (Object.keys(OBJECTS) as SObjectName[]).map((o) => describeGlobalEntry(apiVersion, o)),
    });
  });

  router.get('/services/data/:version/sobjects/:object', (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    // recentItems lists what the user viewed in the UI: an API-only org has none.
    res.json({ objectDescribe: describeGlobalEntry(caller(res).apiVersion, object), recentItems: [] });
  });

  router.get('/services/data/:version/sobjects/:object/describe', (req, res) => {
    const object = objectOf(req, res);
    if (!object) return;
    res.json(describeObject(caller(res).apiVersion, object));
  });
}
