// The one typed object of services built by the composition root (gateway/compose.ts)
// and handed to every route module. Modules add their service by augmenting this
// interface from their own file, so no handler imports a singleton:
//   declare module '<path>/core/services.js' { interface Services { erp: ErpSystemApi } }
import type { Config } from './config/index.js';
import type { Logger } from './observability/logger.js';
import type { Store } from './store/index.js';

export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
}
