// The version rules against the released baseline, one crafted change per rule, each in a scratch
// copy of the real contracts (openapi/ with its lock, released copies and changelogs).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { parseChangelog } from '../../core/contracts/changelog.js';
import { readLock } from '../../scripts/contracts/baseline.js';
import { bump } from '../../scripts/contracts/bump.js';
import { release } from '../../scripts/contracts/release.js';
import { assessContracts, type ContractAssessment } from '../../scripts/contracts/version-rules.js';

const CONTRACT = 'openapi/process/billing-status-to-crm.v1.yaml';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- contracts are free-form YAML trees mutated per case
type Doc = Record<string, any>;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'contracts-rules-'));
  await cp(path.join(PROJECT_ROOT, 'openapi'), path.join(dir, 'openapi'), { recursive: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function edit(file: string, mutate: (doc: Doc) => void): Promise<void> {
  const doc = parse(await readFile(path.join(dir, file), 'utf8')) as Doc;
  mutate(doc);
  await writeFile(path.join(dir, file), stringify(doc, { lineWidth: 0 }));
}

async function addNotes(file: string, notes: string): Promise<void> {
  const changelog = path.join(dir, file.replace(/\.yaml$/, '.changelog.md'));
  const text = await readFile(changelog, 'utf8');
  await writeFile(changelog, text.replace('## Unreleased\n', `## Unreleased\n\n${notes}\n`));
}

async function assessment(file = CONTRACT): Promise<ContractAssessment> {
  const found = (await assessContracts(dir)).find((a) => a.file === file);
  if (!found) throw new Error(`no assessment for ${file}`);
  return found;
}

function versionOf(doc: Doc): string {
  return String(doc.info.version);
}

describe('version rules against the released baseline', () => {
  it('finds every contract unchanged in a fresh copy of the released tree', async () => {
    const all = await assessContracts(dir);
    expect(all.length).toBeGreaterThanOrEqual(13);
    expect(all.filter((a) => a.state !== 'unchanged').map((a) => a.file)).toEqual([]);
  });

  it('needs a patch bump for a documentation-only change, and contracts:bump applies it', async () => {
    let released = '';
    await edit(CONTRACT, (doc) => {
      released = versionOf(doc);
      doc.paths['/runs/{runId}'].get.description = 'Reads one run with every step, now documented better.';
    });
    const before = await assessment();
    expect(before.required).toBe('patch');
    expect(before.problems.join()).toMatch(/needs a patch bump/);
    const [major, minor, patch] = released.split('.').map(Number);
    expect(before.proposed).toBe(`${major}.${minor}.${patch + 1}`);

    const { bumped } = await bump(dir);
    expect(bumped).toEqual([expect.stringContaining(`${released} -> ${major}.${minor}.${patch + 1}`)]);
    const after = await assessment();
    expect(after.problems).toEqual([]);
    expect(after.version).toBe(`${major}.${minor}.${patch + 1}`);
  });

  it('needs a minor bump for an additive change; a patch bump is not enough', async () => {
    let released = '';
    await edit(CONTRACT, (doc) => {
      released = versionOf(doc);
      const [major, minor, patch] = released.split('.').map(Number);
      doc.info.version = `${major}.${minor}.${patch + 1}`;
      doc.paths['/runs/{runId}/steps'] = { get: structuredClone(doc.paths['/runs/{runId}'].get) };
      doc.paths['/runs/{runId}/steps'].get.operationId = 'listRunSteps';
    });
    const result = await assessment();
    expect(result.required).toBe('minor');
    const [major, minor] = released.split('.').map(Number);
    expect(result.problems.join()).toMatch(new RegExp(`needs a minor bump: ${major}\\.${minor + 1}\\.0`));
  });

  it('fails a breaking change within the major, naming the operations and fields it breaks', async () => {
    await edit(CONTRACT, (doc) => {
      doc.info.version = '2.0.0'; // a bigger number does not make a breaking change fit in v1
      delete doc.paths['/accounts/{clientId}/billing-status'];
      doc.components.schemas.StartRunRequest.required.push('reason');
      doc.components.schemas.StartRunRequest.properties.reason = { type: 'string', maxLength: 200, pattern: '^[ -~]+$' };
      doc.components.schemas.EventReceipt.properties.duplicate.type = 'string';
    });
    const result = await assessment();
    expect(result.required).toBe('major');
    const message = result.problems.join('\n');
    expect(message).toMatch(/breaking change\(s\) since release .* published as v2/);
    expect(message).toContain('GET /accounts/{clientId}/billing-status');
    expect(message).toMatch(/POST \/runs \(startRun\): .*required status to `reason`/);
    expect(message).toMatch(/POST \/events \(receivePlatformEvent\): .*type definition of `duplicate`/);
  });

  it('lets the board accept a named kind of breaking change within the major, for one release, with a minor bump', async () => {
    // Narrow the shared id pattern: requests that carried an upper-case hex id would now be refused.
    await edit('openapi/components/schemas/common.yaml', (doc) => {
      doc.Id.pattern = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89a][0-9a-f]{3}-[0-9a-f]{12}$';
    });
    expect((await assessment()).required).toBe('major');
    const released = (await readLock(dir)).find((e) => e.contract === CONTRACT)!.version;
    const accepted = (since: string, keywords: string[]) =>
      stringify({ accepted: [{ contract: CONTRACT, since, keywords, reason: 'Security fix: narrower ids.' }] });

    // An entry for another keyword, or measured from another release, does not cover it.
    await writeFile(path.join(dir, 'openapi/accepted-changes.yaml'), accepted(released, ['maxLength']));
    expect((await assessment()).required).toBe('major');
    await writeFile(path.join(dir, 'openapi/accepted-changes.yaml'), accepted('0.9.0', ['pattern']));
    expect((await assessment()).required).toBe('major');

    await writeFile(path.join(dir, 'openapi/accepted-changes.yaml'), accepted(released, ['pattern']));
    const result = await assessment();
    expect(result.required).toBe('minor');
    expect(result.changes.find((c) => c.type === 'breaking')?.acceptedBecause).toBe('Security fix: narrower ids.');
    expect(result.problems.join()).toMatch(/needs a minor bump/);
  });

  it('accepts the same break as a new major only once the old one is deprecated and names its successor', async () => {
    const v2 = CONTRACT.replace('.v1.yaml', '.v2.yaml');
    const source = parse(await readFile(path.join(dir, CONTRACT), 'utf8')) as Doc;
    source.info.version = '2.0.0';
    source.servers[0].url = '/process/billing-status-to-crm/v2';
    delete source.paths['/accounts/{clientId}/billing-status'];
    await writeFile(path.join(dir, v2), stringify(source, { lineWidth: 0 }));

    const alone = await assessment(v2);
    expect(alone.state).toBe('new');
    expect(alone.problems.join('\n')).toMatch(
      /must be deprecated now that v2 exists[\s\S]*x-successor: \/process\/billing-status-to-crm\/v2/,
    );

    await edit(CONTRACT, (doc) => {
      Object.assign(doc.info, {
        'x-lifecycle': 'deprecated',
        'x-deprecated-at': '2026-12-01',
        'x-sunset': '2027-06-30',
        'x-successor': '/process/billing-status-to-crm/v2',
      });
    });
    expect((await assessment(v2)).problems).toEqual([]);
    // Deprecating v1 is announced like any deprecation: a minor bump of v1.
    expect((await assessment()).required).toBe('minor');
  });

  it('refuses to drop a contract that was not retired first', async () => {
    await rm(path.join(dir, CONTRACT));
    const result = await assessment();
    expect(result.state).toBe('removed');
    expect(result.problems.join()).toMatch(/removed while released as active/);
  });

  it('refuses a release that lacks the bump or the notes, changing nothing; then releases and stamps the changelog', async () => {
    await edit(CONTRACT, (doc) => {
      doc.paths['/runs'].get.description = 'Lists runs, newest first, with a clearer description.';
    });
    const lockBefore = await readFile(path.join(dir, 'openapi/contracts.lock.yaml'), 'utf8');

    const refused = await release(dir);
    expect(refused.refused.join('\n')).toMatch(/needs a patch bump/);
    expect(refused.refused.join('\n')).toMatch(/no notes under "## Unreleased"/);
    expect(await readFile(path.join(dir, 'openapi/contracts.lock.yaml'), 'utf8')).toBe(lockBefore);

    await bump(dir);
    await addNotes(CONTRACT, '- Describes `GET /runs` more clearly.');
    const done = await release(dir, { date: '2026-12-24' });
    expect(done.refused).toEqual([]);
    const entry = (await readLock(dir)).find((e) => e.contract === CONTRACT)!;
    const version = (await assessment()).version!;
    expect(entry).toMatchObject({ version, releasedAt: '2026-12-24' });
    expect((await assessment()).state).toBe('unchanged');
    const changelog = parseChangelog(await readFile(path.join(dir, CONTRACT.replace('.yaml', '.changelog.md')), 'utf8'));
    expect(changelog.unreleased).toBe('');
    expect(changelog.releases[0]).toEqual({ version, date: '2026-12-24', notes: '- Describes `GET /runs` more clearly.' });
  });
});
