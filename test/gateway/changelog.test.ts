// Changelogs for consumers: each contract's changelog is published beside its spec, the
// catalogue shows the date of the last release, and the docs index links both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import { parseChangelog } from '../../core/contracts/changelog.js';
import { startGateway, type Json, type TestGateway } from './support.js';

describe('published changelogs', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway(undefined, {}, { catalogue: await loadCatalogue(), apis: [] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lists the last change date and the changelog link of every contract in the catalogue', async () => {
    const { apis } = (await (await fetch(`${gw.url}/specs`)).json()) as { apis: Json[] };
    expect(apis.length).toBeGreaterThanOrEqual(13);
    for (const entry of apis) {
      expect(entry.lastChanged, entry.basePath).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/);
      expect(entry.links.changelog).toBe(`/specs/${entry.layer}/${entry.name}/v${entry.major}/changelog`);
    }
  });

  it('serves the changelog as Markdown whose newest release is the contract version and the catalogue date', async () => {
    const { apis } = (await (await fetch(`${gw.url}/specs`)).json()) as { apis: Json[] };
    const crm = apis.find((a) => a.layer === 'experience' && a.name === 'crm' && a.major === 2)!;
    const res = await fetch(`${gw.url}${crm.links.changelog}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    const newest = parseChangelog(await res.text()).releases[0];
    expect(newest).toMatchObject({ version: crm.version, date: crm.lastChanged });
  });

  it('answers 404 problem details for a version that does not exist, and 405 for other methods', async () => {
    const res = await fetch(`${gw.url}/specs/experience/crm/v9/changelog`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${gw.url}/specs/experience/crm/v2/changelog`, { method: 'DELETE' })).status).toBe(405);
  });

  it('links each changelog from the docs index', async () => {
    const html = await (await fetch(`${gw.url}/docs`)).text();
    expect(html).toContain('href="/specs/experience/crm/v2/changelog"');
    expect(html).toContain('Last change');
  });
});
