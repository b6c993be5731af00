// The contract catalogue and what the gateway publishes from it.
export type { ApiContract, ContractLayer, Lifecycle } from './types.js';
export {
  loadCatalogue,
  listContractFiles,
  findContract,
  bundleContract,
  describeContract,
  parseLifecycleDate,
  PROJECT_ROOT,
} from './catalogue.js';
export { buildDocsHtml, docsHtml, contractHash, assertSelfContained, type DocsOptions } from './docs.js';
export { serializeContract, specEntry, type SpecEntry, type SpecFormat } from './publish.js';
export { renderDocsIndex, gatewayLinks, escapeHtml, type ContractLinks } from './docs-index.js';
