// One file set per system API: every folder under system-apis/ (but the shared kit) has the
// same core files, so a shared name means the same thing in each and a fifth platform follows them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';

/** The files every system API has, and what each one is. */
const COMMON_FILES = {
  'README.md': 'the platform, the vendor API it speaks and its files',
  'vendor-types.ts': "the vendor's payloads",
  'connector.ts': "the vendor's HTTP client",
  'canonical.ts': "the contract's canonical types",
  'mapping.ts': 'vendor <-> canonical functions',
  'ids.ts': "the platform's binding to the cross-reference lookup in core/xref",
  'service.ts': 'the typed in-process API',
  'routes.ts': 'thin HTTP routes',
  'module.ts': 'the gateway module',
  'index.ts': 'create<Platform>System for the composition root',
} as const;

const ROOT = join(PROJECT_ROOT, 'system-apis');
const platforms = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'kit')
  .map((e) => e.name);

describe('system API file set', () => {
  it('finds the platforms (so the checks below cannot pass on an empty list)', () => {
    expect(platforms).toEqual(expect.arrayContaining(['crm', 'erp', 'scheduling', 'time']));
  });

  it.each(platforms)('%s has every common file', (platform) => {
    const missing = Object.keys(COMMON_FILES).filter((file) => !existsSync(join(ROOT, platform, file)));
    expect(missing).toEqual([]);
  });

  it.each(platforms)('%s binds ids.ts to the one cross-reference lookup and queries the xref table nowhere else', (platform) => {
    expect(readFileSync(join(ROOT, platform, 'ids.ts'), 'utf8')).toContain('new CrossReferences<');
    const files = readdirSync(join(ROOT, platform)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const own = files.filter((f) =>
      /(selectFrom|insertInto|deleteFrom|updateTable)\('xref'\)/.test(readFileSync(join(ROOT, platform, f), 'utf8')),
    );
    expect(own).toEqual([]);
  });
});
