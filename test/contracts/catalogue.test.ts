// The contract catalogue: what loadCatalogue reads from openapi/, how it parses lifecycle
// fields, and how it refuses inconsistent contracts; plus the docs built from it.
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDocsHtml,
  docsHtml,
  findContract,
  listContractFiles,
  loadCatalogue,
  parseLifecycleDate,
  PROJECT_ROOT,
  renderDocsIndex,
  serializeContract,
  specEntry,
  type ApiContract,
} from '../../core/contracts/index.js';
import { ProblemError } from '../../core/problems.js';
import { baseContract, scratchProject, writeContract } from './ruleset-fixture.js';

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => refsIn(child, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('loadCatalogue on the repository', () => {
  let catalogue: ApiContract[];
  beforeAll(async () => {
    catalogue = await loadCatalogue();
  });

  it('lists the gateway first, served at /', () => {
    expect(catalogue[0]).toMatchObject({ layer: 'gateway', api: 'gateway', major: 1, basePath: '/', lifecycle: 'active' });
  });

  it('has every process and experience API the design names', () => {
    const names = catalogue.map((c) => `${c.layer}/${c.api}/v${c.major}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'process/opportunity-to-project/v1',
        'process/assignment-to-forecast/v1',
        'process/time-to-billing/v1',
        'process/billing-status-to-crm/v1',
        'experience/crm/v1',
        'experience/crm/v2',
        'experience/portal/v1',
        'experience/operations/v1',
      ]),
    );
    const layers = catalogue.map((c) => c.layer);
    expect(layers).toEqual(
      [...layers].sort(
        (a, b) => ['gateway', 'system', 'process', 'experience'].indexOf(a) - ['gateway', 'system', 'process', 'experience'].indexOf(b),
      ),
    );
  });

  it('reads the deprecated CRM v1 lifecycle: dates, sunset and successor', () => {
    const crmV1 = findContract(catalogue, 'experience', 'crm', 1);
    expect(crmV1).toMatchObject({
      lifecycle: 'deprecated',
      successor: '/experience/crm/v2',
      basePath: '/experience/crm/v1',
      file: 'openapi/experience/crm.v1.yaml',
    });
    expect(crmV1?.deprecatedAt?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(crmV1?.sunset?.toISOString()).toBe('2027-06-30T00:00:00.000Z');
    const crmV2 = findContract(catalogue, 'experience', 'crm', 2);
    expect(crmV2).toMatchObject({ lifecycle: 'active', version: expect.stringMatching(/^2\./) });
    expect(crmV2?.sunset).toBeUndefined();
  });

  it('fills owner, audience and title, and bundles every $ref into the document', () => {
    for (const contract of catalogue) {
      expect(contract.owner, contract.file).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(['internal', 'partner', 'public']).toContain(contract.audience);
      expect(contract.title.length).toBeGreaterThan(0);
      const external = refsIn(contract.bundled).filter((ref) => !ref.startsWith('#/'));
      expect(external, contract.file).toEqual([]);
    }
  });

  it('publishes a catalogue entry with ISO dates and links', () => {
    const entry = specEntry(findContract(catalogue, 'experience', 'crm', 1)!);
    expect(entry).toMatchObject({
      name: 'crm',
      layer: 'experience',
      major: 1,
      lifecycle: 'deprecated',
      sunset: '2027-06-30T00:00:00.000Z',
      deprecatedAt: '2026-12-01T00:00:00.000Z',
      successor: '/experience/crm/v2',
      links: { yaml: '/specs/experience/crm/v1.yaml', json: '/specs/experience/crm/v1.json', docs: '/docs/experience/crm/v1' },
    });
    const json = JSON.parse(serializeContract(catalogue[0], 'json')) as { openapi: string };
    expect(json.openapi).toBe('3.1.0');
    expect(serializeContract(catalogue[0], 'yaml')).toMatch(/^openapi: 3\.1\.0/);
  });
});

describe('parseLifecycleDate', () => {
  it('reads a plain date as midnight UTC and a date-time with its offset', () => {
    expect(parseLifecycleDate('2027-06-30')?.toISOString()).toBe('2027-06-30T00:00:00.000Z');
    expect(parseLifecycleDate('2027-06-30T12:00:00+02:00')?.toISOString()).toBe('2027-06-30T10:00:00.000Z');
  });
  it('rejects what is not an RFC 3339 date', () => {
    for (const bad of ['30/06/2027', 'next summer', '2027-13-45', '', 20270630]) {
      expect(parseLifecycleDate(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('loadCatalogue on inconsistent contracts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchProject(PROJECT_ROOT);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function catalogueWith(file: string, mutate: (c: ReturnType<typeof baseContract>) => void) {
    const contract = baseContract();
    const [, layer, api, major] = /^openapi\/(\w+)\/([a-z-]+)\.v(\d+)\.yaml$/.exec(file)!;
    contract.servers[0].url = layer === 'gateway' ? '/' : `/${layer}/${api}/v${major}`;
    mutate(contract);
    await rm(path.join(dir, 'openapi', 'system'), { recursive: true, force: true });
    await writeContract(dir, file, contract);
    return loadCatalogue(dir);
  }

  it('reads a retired contract with a date-time sunset', async () => {
    const [contract] = await catalogueWith('openapi/system/widgets.v1.yaml', (c) =>
      Object.assign(c.info, { 'x-lifecycle': 'retired', 'x-sunset': '2026-01-31T23:00:00Z', 'x-successor': '/system/widgets/v2' }),
    );
    expect(contract).toMatchObject({ lifecycle: 'retired', successor: '/system/widgets/v2', basePath: '/system/widgets/v1' });
    expect(contract.sunset?.toISOString()).toBe('2026-01-31T23:00:00.000Z');
  });

  it.each([
    [
      'a retired contract without successor',
      (c: ReturnType<typeof baseContract>) => Object.assign(c.info, { 'x-lifecycle': 'retired', 'x-sunset': '2026-01-31' }),
      /x-successor/,
    ],
    [
      'a deprecated contract without sunset',
      (c: ReturnType<typeof baseContract>) => Object.assign(c.info, { 'x-lifecycle': 'deprecated', 'x-deprecated-at': '2026-01-01' }),
      /x-sunset/,
    ],
    [
      'a sunset that is not a date',
      (c: ReturnType<typeof baseContract>) =>
        Object.assign(c.info, { 'x-lifecycle': 'deprecated', 'x-deprecated-at': '2026-01-01', 'x-sunset': 'soon' }),
      /x-sunset must be an RFC 3339/,
    ],
    [
      'a server URL that does not match the file',
      (c: ReturnType<typeof baseContract>) => {
        c.servers[0].url = '/system/gadgets/v1';
      },
      /servers\[0\]\.url must be \/system\/widgets\/v1/,
    ],
    [
      'a major that does not match the file',
      (c: ReturnType<typeof baseContract>) => {
        c.info.version = '2.1.0';
      },
      /does not match the file's major version v1/,
    ],
    [
      'an unknown audience',
      (c: ReturnType<typeof baseContract>) => {
        c.info['x-audience'] = 'everyone';
      },
      /x-audience/,
    ],
    [
      'a broken $ref',
      (c: ReturnType<typeof baseContract>) => {
        c.components.schemas.Widget.properties.price = { $ref: '../components/schemas/nowhere.yaml#/Money' };
      },
      /nowhere\.yaml/,
    ],
  ])('refuses %s, naming the file', async (_name, mutate, message) => {
    const error = await catalogueWith('openapi/system/widgets.v1.yaml', mutate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).detail).toMatch(/^Contract openapi\/system\/widgets\.v1\.yaml: /);
    expect((error as ProblemError).detail).toMatch(message);
  });

  it('ignores files that are not named {api}.v{major}.yaml', async () => {
    await catalogueWith('openapi/system/widgets.v1.yaml', () => {});
    await writeContract(dir, 'openapi/system/Widgets_draft.yaml', baseContract());
    const files = await listContractFiles(dir);
    expect(files.map((f) => f.file)).toEqual(['openapi/system/widgets.v1.yaml']);
  });
});

describe('docs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchProject(PROJECT_ROOT);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds self-contained HTML once per contract content and reuses it', async () => {
    const [gateway] = await loadCatalogue();
    const cacheDir = path.join(dir, 'docs');
    const [first, concurrent] = await Promise.all([buildDocsHtml(gateway, { cacheDir }), buildDocsHtml(gateway, { cacheDir })]);
    expect(concurrent).toBe(first);
    const html = await docsHtml(gateway, { cacheDir });
    expect(html).toBe(await readFile(first, 'utf8'));
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('listSpecs');
    expect(html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    const builtAt = (await stat(first)).mtimeMs;
    expect(await buildDocsHtml(gateway, { cacheDir })).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(builtAt);
    // Any other version string is different content; derive it so it never equals the real one.
    const otherVersion = `${String((gateway.bundled.info as { version: string }).version)}-changed`;
    const changed = { ...gateway, bundled: { ...gateway.bundled, info: { ...(gateway.bundled.info as object), version: otherVersion } } };
    const rebuilt = await buildDocsHtml(changed, { cacheDir });
    expect(rebuilt).not.toBe(first);
    // The docs of the earlier content are pruned.
    expect(
      await stat(first).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect((await stat(rebuilt)).isFile()).toBe(true);
  });

  it('renders the index with every contract and escapes text', () => {
    const contract = {
      layer: 'system',
      api: 'erp',
      major: 1,
      title: 'ERP <system>',
      version: '1.0.0',
      owner: 'erp-team',
      audience: 'internal',
      lifecycle: 'deprecated',
      sunset: new Date('2027-06-30T00:00:00Z'),
      successor: '/system/erp/v2',
      basePath: '/system/erp/v1',
      file: 'x',
      bundled: {},
    } as ApiContract;
    const html = renderDocsIndex([contract]);
    expect(html).toContain('ERP &lt;system&gt;');
    expect(html).toContain('href="/docs/system/erp/v1"');
    expect(html).toContain('href="/specs/system/erp/v1.yaml"');
    expect(html).toContain('sunset 2027-06-30');
    expect(html).not.toMatch(/<script/i);
  });
});
