// The catalogue bundled at build time: it serves exactly what bundling the sources gives, and any
// change under openapi/ after the build makes it stale, so the layer bundles the sources instead.
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import {
  loadServedCatalogue,
  prebuiltCatalogueFile,
  readPrebuiltCatalogue,
  sourceCatalogueCache,
  writePrebuiltCatalogue,
} from '../../core/contracts/prebuilt.js';

// A project of its own: the shared components, the gateway's contract and one system API.
let root: string;
let bundleFile: string;
const CRM = path.join('openapi', 'system', 'crm.v1.yaml');

async function edit(relative: string, change: (text: string) => string): Promise<void> {
  const file = path.join(root, relative);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

describe('the prebuilt contract catalogue', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'ps-layer-prebuilt-'));
    for (const dir of ['components', 'gateway']) {
      await cp(path.join(PROJECT_ROOT, 'openapi', dir), path.join(root, 'openapi', dir), { recursive: true });
    }
    await cp(path.join(PROJECT_ROOT, CRM), path.join(root, CRM));
    await cp(path.join(PROJECT_ROOT, 'openapi/system/crm.v1.changelog.md'), path.join(root, 'openapi/system/crm.v1.changelog.md'));
    bundleFile = path.join(root, 'dist', 'contract-catalogue.json');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is looked for beside the compiled tree only', () => {
    expect(prebuiltCatalogueFile('file:///srv/layer/dist/core/contracts/prebuilt.js'), 'compiled').toBe(
      '/srv/layer/dist/contract-catalogue.json',
    );
    expect(prebuiltCatalogueFile('file:///srv/layer/core/contracts/prebuilt.ts'), 'from source').toBeUndefined();
  });

  it('serves what bundling the sources gives, while they are unchanged', async () => {
    expect(await writePrebuiltCatalogue(bundleFile, root), 'contracts bundled').toBe(2);
    const read = await readPrebuiltCatalogue(bundleFile, root);
    expect(read.status, 'status of an unchanged bundle').toBe('fresh');
    const fromSources = await loadCatalogue(root);
    expect(read.status === 'fresh' && read.catalogue, 'the catalogue from the bundle').toEqual(fromSources);
    const served = await loadServedCatalogue(bundleFile, root);
    expect(served.source, 'where the served catalogue came from').toEqual({ from: 'prebuilt', file: bundleFile });
  });

  it('is stale after any change to a contract, a changelog or a shared component, and the sources are served instead', async () => {
    await writePrebuiltCatalogue(bundleFile, root);
    await edit(CRM, (text) => text.replace(/^( {2}title: ).*$/m, '$1Changed after the build'));
    const read = await readPrebuiltCatalogue(bundleFile, root);
    expect(read, 'a contract edited after the build').toMatchObject({
      status: 'stale',
      reason: expect.stringContaining('openapi/ changed'),
    });
    const served = await loadServedCatalogue(bundleFile, root);
    expect(served.source.from, 'served from').toBe('sources');
    expect(served.source.from === 'sources' && served.source.prebuiltUnusable, 'why not the bundle').toMatch(
      /openapi\/ changed.*npm run build/,
    );
    expect(served.catalogue.find((c) => c.api === 'crm')?.title, 'the edit is what is served').toBe('Changed after the build');

    for (const [what, change] of [
      ['a changelog', () => appendFile(path.join(root, 'openapi/system/crm.v1.changelog.md'), '\n- A note after the build.\n')],
      ['a shared component', () => appendFile(path.join(root, 'openapi/components/parameters.yaml'), '\n# a comment after the build\n')],
      ['a new file', () => writeFile(path.join(root, 'openapi/components/schemas/extra.yaml'), 'Extra:\n  type: string\n')],
    ] as const) {
      await writePrebuiltCatalogue(bundleFile, root);
      expect((await readPrebuiltCatalogue(bundleFile, root)).status, `before ${what} changes`).toBe('fresh');
      await change();
      expect((await readPrebuiltCatalogue(bundleFile, root)).status, `after ${what} changes`).toBe('stale');
    }
  });

  it('is not used when missing or unreadable', async () => {
    const missing = path.join(root, 'dist', 'nothing.json');
    expect((await readPrebuiltCatalogue(missing, root)).status, 'a missing bundle').toBe('missing');
    expect((await loadServedCatalogue(missing, root)).source, 'served without one').toMatchObject({ from: 'sources' });
    await writeFile(bundleFile, '{"format":1,"sourcesDig');
    expect((await readPrebuiltCatalogue(bundleFile, root)).status, 'a truncated bundle').toBe('stale');
  });

  it('from source, caches the bundled sources by their digest', async () => {
    const cache = sourceCatalogueCache(root);
    await rm(cache, { force: true });
    expect((await loadServedCatalogue(undefined, root)).source, 'the first start bundles').toEqual({ from: 'sources' });
    const second = await loadServedCatalogue(undefined, root);
    expect(second.source, 'the next start reads the cache').toEqual({ from: 'cache', file: cache });
    expect(second.catalogue, 'what the cache serves').toEqual(await loadCatalogue(root));
    await edit(CRM, (text) => text.replace(/^( {2}title: ).*$/m, '$1Changed again'));
    const third = await loadServedCatalogue(undefined, root);
    expect(third.source, 'a changed source is bundled again').toEqual({ from: 'sources' });
    expect(third.catalogue.find((c) => c.api === 'crm')?.title, 'and served').toBe('Changed again');
  });
});
