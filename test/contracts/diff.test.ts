// The governance gate: api-smart-diff classification of a fixture pair of contract trees.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { compareTrees, type ContractChange } from '../../scripts/contracts/diff-core.js';
import { baseContract, scratchProject, writeContract, type Contract } from './ruleset-fixture.js';

const BASE_FILES = ['compatible', 'breaking', 'unchanged', 'dropped', 'retired'];

function contractFor(api: string, mutate: (c: Contract) => void = () => {}): Contract {
  const contract = baseContract();
  contract.servers[0].url = `/system/${api}/v1`;
  mutate(contract);
  return contract;
}

let before: string;
let after: string;
let results: Map<string, ContractChange>;

beforeAll(async () => {
  [before, after] = await Promise.all([scratchProject(PROJECT_ROOT), scratchProject(PROJECT_ROOT)]);
  for (const api of BASE_FILES) {
    await writeContract(
      before,
      `openapi/system/${api}.v1.yaml`,
      contractFor(api, (c) => {
        if (api === 'retired')
          Object.assign(c.info, { 'x-lifecycle': 'retired', 'x-sunset': '2026-01-01', 'x-successor': '/system/retired/v2' });
      }),
    );
  }
  // Additive: an optional response property and a new operation.
  await writeContract(
    after,
    'openapi/system/compatible.v1.yaml',
    contractFor('compatible', (c) => {
      c.info.version = '1.1.0';
      c.components.schemas.Widget.properties.colour = { type: 'string', maxLength: 20, pattern: '^[a-z]+$' };
      c.paths['/widgets/{widgetId}'] = {
        get: {
          ...structuredClone(c.paths['/widgets'].get),
          operationId: 'getWidget',
          parameters: [{ $ref: '../components/parameters.yaml#/ClientId' }],
        },
      };
    }),
  );
  // Breaking within v1: a new required request property and a removed operation.
  await writeContract(
    after,
    'openapi/system/breaking.v1.yaml',
    contractFor('breaking', (c) => {
      c.components.schemas.Widget.required.push('price');
      c.components.schemas.Widget.properties.colour = { type: 'string', maxLength: 20, pattern: '^[a-z]+$' };
      c.components.schemas.Widget.required.push('colour');
      delete c.paths['/widgets'].get;
    }),
  );
  // The same breaking change published as v2 is fine.
  await writeContract(
    after,
    'openapi/system/breaking.v2.yaml',
    contractFor('breaking', (c) => {
      c.servers[0].url = '/system/breaking/v2';
      c.info.version = '2.0.0';
      c.components.schemas.Widget.required.push('price');
    }),
  );
  await writeContract(after, 'openapi/system/unchanged.v1.yaml', contractFor('unchanged'));
  // 'dropped' (active) and 'retired' disappear from the new tree.
  results = new Map((await compareTrees(before, after)).map((r) => [r.file, r]));
}, 60_000);

afterAll(async () => {
  await Promise.all([before, after].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('contracts:diff classification', () => {
  it('passes additive changes within a major', () => {
    const result = results.get('openapi/system/compatible.v1.yaml')!;
    expect(result.status).toBe('changed');
    expect(result.changes.filter((c) => c.type === 'breaking')).toEqual([]);
    expect(result.changes.some((c) => c.type === 'non-breaking')).toBe(true);
    expect(result.violation).toBeUndefined();
  });

  it('fails breaking changes that keep the major, naming each one', () => {
    const result = results.get('openapi/system/breaking.v1.yaml')!;
    expect(result.violation).toMatch(/breaking change\(s\) within the same major/);
    const breaking = result.changes.filter((c) => c.type === 'breaking');
    expect(breaking.some((c) => c.path === 'paths./widgets.get')).toBe(true);
    expect(breaking.some((c) => c.path.startsWith('paths./widgets.post.requestBody'))).toBe(true);
  });

  it('accepts a new major version and an unchanged contract', () => {
    expect(results.get('openapi/system/breaking.v2.yaml')).toMatchObject({ status: 'added' });
    expect(results.get('openapi/system/breaking.v2.yaml')?.violation).toBeUndefined();
    expect(results.get('openapi/system/unchanged.v1.yaml')).toMatchObject({ status: 'unchanged', changes: [] });
  });

  it('refuses to drop a contract that is not retired, and allows dropping a retired one', () => {
    expect(results.get('openapi/system/dropped.v1.yaml')?.violation).toMatch(/removed while still active/);
    expect(results.get('openapi/system/retired.v1.yaml')).toMatchObject({ status: 'removed' });
    expect(results.get('openapi/system/retired.v1.yaml')?.violation).toBeUndefined();
  });
});
