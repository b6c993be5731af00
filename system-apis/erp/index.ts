// The ERP system API (NetSuite): connector, service and gateway module.
export { ErpConnector, mapNetSuiteError } from './connector.js';
export type { ErpConnectorOptions } from './connector.js';
export { createErpSystemApi } from './service.js';
export type { ErpSystemApi, ErpSystemApiDeps, PageRequest } from './service.js';
export { erpSystemModule } from './module.js';
export type * from './canonical.js';
import './services.js';
