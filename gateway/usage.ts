// Records each call, once the contract's validator has matched its operation, for the consumer
// that made it: the usage the governance board reads (consumer impact, deprecated callers).
import type { RequestHandler } from 'express';
import type { ApiContract } from '../core/contracts/types.js';
import type { UsageRecorder } from '../core/usage/index.js';

export function recordUsage(contract: ApiContract, usage: UsageRecorder | undefined): RequestHandler[] {
  if (!usage) return [];
  const key = `${contract.layer}/${contract.api}/v${contract.major}`;
  const deprecated = contract.lifecycle === 'deprecated';
  return [
    (req, res, next) => {
      // Set by express-openapi-validator on a request that matched a documented operation.
      const operation = (req as { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
      const consumer = req.auth?.consumer;
      if (operation && consumer) {
        res.on('finish', () =>
          usage.record({ consumer, contract: key, version: contract.version, operation, deprecated, status: res.statusCode }),
        );
      }
      next();
    },
  ];
}
