// What the layer knows about each published contract, read from openapi/**.v{N}.yaml.
// The gateway routes versions and serves specs and docs from this catalogue.

export type ContractLayer = 'gateway' | 'system' | 'process' | 'experience';
export type Lifecycle = 'active' | 'deprecated' | 'retired';

export interface ApiContract {
  layer: ContractLayer;
  /** kebab-case API name from the file name, e.g. `erp` in openapi/system/erp.v1.yaml. */
  api: string;
  major: number;
  /** Path of the source file relative to the project root. */
  file: string;
  title: string;
  /** info.version, e.g. 1.4.0 */
  version: string;
  owner: string;
  audience: 'internal' | 'partner' | 'public';
  lifecycle: Lifecycle;
  /** info.x-deprecated-at (RFC 3339 date-time or date), required when deprecated. */
  deprecatedAt?: Date;
  /** info.x-sunset (RFC 3339 date or date-time), required when deprecated or retired. */
  sunset?: Date;
  /** info.x-successor: the URL base path of the version that replaces this one, e.g. /experience/crm/v2 */
  successor?: string;
  /** The server base path, /{layer}/{api}/v{major} (or / for the gateway's own contract). */
  basePath: string;
  /** The contract with every $ref resolved into one document (as redocly bundles it). */
  bundled: Record<string, unknown>;
  /** The Markdown changelog kept beside the contract ({api}.v{major}.changelog.md), when there is one. */
  changelog?: string;
}
