// A small contract that satisfies every rule in spectral.yaml, and a way to write
// mutated copies of it into a scratch project, so that each house rule can be shown to fire.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

const C = '../components';
const problem = (name: string) => ({ $ref: `${C}/responses.yaml#/${name}` });
const rateLimitHeaders = {
  'X-Request-Id': { $ref: `${C}/headers.yaml#/XRequestId` },
  RateLimit: { $ref: `${C}/headers.yaml#/RateLimit` },
  'RateLimit-Policy': { $ref: `${C}/headers.yaml#/RateLimitPolicy` },
};
const errors = {
  '400': problem('BadRequest'),
  '401': problem('Unauthorized'),
  '403': problem('Forbidden'),
  '429': problem('TooManyRequests'),
  '500': problem('InternalError'),
};

export type Contract = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are free-form YAML trees mutated by each case

/** A clean system contract: openapi/system/widgets.v1.yaml. */
export function baseContract(): Contract {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Widgets',
      version: '1.0.0',
      description: 'A contract used to test the ruleset.',
      contact: { name: 'Integration platform team', url: 'https://github.com/ps-connectivity/ps-connectivity-layer' },
      'x-owner': 'integration-platform',
      'x-audience': 'internal',
      'x-lifecycle': 'active',
    },
    servers: [{ url: '/system/widgets/v1', description: 'Behind the gateway in local, staging and production.', 'x-internal': true }],
    tags: [{ name: 'Widgets', description: 'Widgets.' }],
    paths: {
      '/widgets': {
        get: {
          operationId: 'listWidgets',
          tags: ['Widgets'],
          summary: 'List widgets',
          description: 'Lists widgets.',
          security: [{ oauth2: ['erp:read'] }],
          parameters: [{ $ref: `${C}/parameters.yaml#/Cursor` }, { $ref: `${C}/parameters.yaml#/Limit` }],
          responses: {
            '200': {
              description: 'A page of widgets.',
              headers: rateLimitHeaders,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/WidgetPage' } } },
            },
            ...errors,
          },
        },
        post: {
          operationId: 'createWidget',
          tags: ['Widgets'],
          summary: 'Create a widget',
          description: 'Creates a widget.',
          security: [{ oauth2: ['erp:write'] }],
          parameters: [{ $ref: `${C}/parameters.yaml#/IdempotencyKey` }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } },
          },
          responses: {
            '201': {
              description: 'Created.',
              headers: rateLimitHeaders,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } },
            },
            ...errors,
            '422': problem('UnprocessableContent'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        oauth2: { $ref: `${C}/security.yaml#/oauth2` },
      },
      schemas: {
        Widget: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'displayName'],
          properties: {
            id: { $ref: `${C}/schemas/common.yaml#/ServerId`, readOnly: true },
            displayName: { type: 'string', maxLength: 100, pattern: '^[A-Za-z ]+$' },
            price: { $ref: `${C}/schemas/common.yaml#/Money` },
          },
        },
        WidgetPage: {
          type: 'object',
          additionalProperties: false,
          required: ['items', 'nextCursor'],
          properties: {
            items: { type: 'array', maxItems: 200, items: { $ref: '#/components/schemas/Widget' } },
            nextCursor: { $ref: `${C}/schemas/common.yaml#/NextCursor` },
          },
        },
      },
    },
  };
}

/**
 * A scratch project under {rootDir}/var (so that Node resolves the OWASP ruleset from the
 * project's node_modules) holding copies of the ruleset, its functions and the shared components.
 */
export async function scratchProject(rootDir: string): Promise<string> {
  await mkdir(path.join(rootDir, 'var'), { recursive: true });
  const dir = await mkdtemp(path.join(rootDir, 'var', 'ruleset-test-'));
  await cp(path.join(rootDir, 'spectral.yaml'), path.join(dir, 'spectral.yaml'));
  await cp(path.join(rootDir, 'spectral'), path.join(dir, 'spectral'), { recursive: true });
  await cp(path.join(rootDir, 'openapi', 'components'), path.join(dir, 'openapi', 'components'), { recursive: true });
  return dir;
}

export async function writeContract(dir: string, relativeFile: string, contract: Contract): Promise<string> {
  const file = path.join(dir, relativeFile);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify(contract));
  return file;
}
