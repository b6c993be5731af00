// Proves the house rules in spectral.yaml fire: a clean contract lints without errors, and
// each small bad contract produces the rule it breaks. One Spectral run lints them all.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSpectral, type Finding } from '../../scripts/contracts/spectral.js';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { baseContract, scratchProject, writeContract, type Contract } from './ruleset-fixture.js';

interface Case {
  name: string;
  /** Layer folder; system unless said. */
  layer?: string;
  /** File name override (for the file-name rule); otherwise `{name}.v1.yaml`. */
  fileName?: string;
  mutate: (c: Contract) => void;
  /** Rules that must fire; empty means the case must lint without errors. */
  expect: string[];
  /** Rules that must not fire. */
  absent?: string[];
}

const get = (c: Contract) => c.paths['/widgets'].get;
const post = (c: Contract) => c.paths['/widgets'].post;

const cases: Case[] = [
  { name: 'clean', mutate: () => {}, expect: [] },
  {
    name: 'op-id-snake',
    mutate: (c) => {
      get(c).operationId = 'list_widgets';
    },
    expect: ['ps-operation-id'],
  },
  {
    name: 'op-id-noun-first',
    mutate: (c) => {
      get(c).operationId = 'widgetsList';
    },
    expect: ['ps-operation-id'],
  },
  {
    name: 'op-id-missing',
    mutate: (c) => {
      delete get(c).operationId;
    },
    expect: ['ps-operation-id'],
  },
  {
    name: 'path-not-kebab',
    mutate: (c) => {
      c.paths['/widget_parts'] = c.paths['/widgets'];
      delete c.paths['/widgets'];
      get2(c).operationId = 'listWidgetParts';
    },
    expect: ['ps-path-kebab-case'],
  },
  {
    name: 'path-param-snake',
    mutate: (c) => {
      const single = structuredClone(get(c));
      single.operationId = 'getWidget';
      single.parameters = [{ name: 'widget_id', in: 'path', required: true, schema: { $ref: '../components/schemas/common.yaml#/Id' } }];
      single.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Widget' };
      single.responses['404'] = { $ref: '../components/responses.yaml#/NotFound' };
      c.paths['/widgets/{widget_id}'] = { get: single };
    },
    expect: ['ps-path-kebab-case'],
  },
  {
    name: 'property-snake',
    mutate: (c) => {
      c.components.schemas.Widget.properties.display_name = { type: 'string', maxLength: 10, pattern: '^a$' };
    },
    expect: ['ps-property-camel-case'],
  },
  {
    name: 'pattern-unanchored',
    mutate: (c) => {
      c.components.schemas.Widget.properties.displayName.pattern = '[A-Za-z ]+';
    },
    // Unanchored, it also matches any string holding one letter, control characters included.
    expect: ['ps-schema-pattern-anchored', 'ps-string-no-control-characters'],
  },
  {
    name: 'server-mismatch',
    mutate: (c) => {
      c.servers[0].url = '/system/gadgets/v1';
    },
    expect: ['ps-contract-file'],
  },
  {
    name: 'version-mismatch',
    mutate: (c) => {
      c.info.version = '2.0.0';
    },
    expect: ['ps-contract-file'],
  },
  { name: 'bad-file-name', fileName: 'Bad_Name.v1.yaml', mutate: () => {}, expect: ['ps-contract-file'] },
  {
    name: 'error-as-json',
    mutate: (c) => {
      get(c).responses['404'] = {
        description: 'x',
        headers: get(c).responses['200'].headers,
        content: { 'application/json': { schema: { type: 'object' } } },
      };
    },
    expect: ['ps-error-problem-json'],
  },
  {
    name: 'security-missing',
    mutate: (c) => {
      delete get(c).security;
    },
    expect: ['ps-operation-security'],
  },
  {
    name: 'security-empty',
    mutate: (c) => {
      get(c).security = [];
    },
    expect: ['ps-operation-security'],
  },
  {
    name: 'security-no-scope',
    mutate: (c) => {
      get(c).security = [{ oauth2: [] }];
    },
    expect: ['ps-operation-security'],
  },
  {
    name: 'scope-unknown',
    mutate: (c) => {
      get(c).security = [{ oauth2: ['widgets:read'] }];
    },
    expect: ['ps-security-scopes-known'],
  },
  {
    name: 'scheme-unknown',
    mutate: (c) => {
      get(c).security = [{ apiKey: ['erp:read'] }];
    },
    expect: ['ps-security-scopes-known'],
  },
  {
    name: 'gateway',
    layer: 'gateway',
    fileName: 'gateway.v1.yaml',
    mutate: (c) => {
      c.servers[0].url = '/';
      get(c).security = [];
    },
    expect: [],
    absent: ['ps-operation-security'],
  },
  {
    name: 'owner-missing',
    mutate: (c) => {
      delete c.info['x-owner'];
    },
    expect: ['ps-info-owner'],
  },
  {
    name: 'owner-not-kebab',
    mutate: (c) => {
      c.info['x-owner'] = 'Integration Team';
    },
    expect: ['ps-info-owner'],
  },
  {
    name: 'audience-bad',
    mutate: (c) => {
      c.info['x-audience'] = 'everyone';
    },
    expect: ['ps-info-audience'],
  },
  {
    name: 'lifecycle-bad',
    mutate: (c) => {
      c.info['x-lifecycle'] = 'sunsetting';
    },
    expect: ['ps-info-lifecycle'],
  },
  {
    name: 'lifecycle-missing',
    mutate: (c) => {
      delete c.info['x-lifecycle'];
    },
    expect: ['ps-info-lifecycle'],
  },
  {
    name: 'deprecated-no-sunset',
    mutate: (c) => {
      Object.assign(c.info, { 'x-lifecycle': 'deprecated', 'x-deprecated-at': '2026-12-01' });
    },
    expect: ['ps-info-lifecycle-dates'],
  },
  {
    name: 'deprecated-sunset-early',
    mutate: (c) => {
      Object.assign(c.info, { 'x-lifecycle': 'deprecated', 'x-deprecated-at': '2027-01-01', 'x-sunset': '2026-06-30' });
    },
    expect: ['ps-info-lifecycle-dates'],
  },
  {
    name: 'deprecated-ok',
    mutate: (c) => {
      Object.assign(c.info, {
        'x-lifecycle': 'deprecated',
        'x-deprecated-at': '2026-12-01',
        'x-sunset': '2027-06-30',
        'x-successor': '/system/widgets/v2',
      });
    },
    expect: [],
  },
  {
    name: 'retired-no-successor',
    mutate: (c) => {
      Object.assign(c.info, { 'x-lifecycle': 'retired', 'x-sunset': '2026-06-30' });
    },
    expect: ['ps-info-lifecycle-dates'],
  },
  {
    name: 'sunset-not-a-date',
    mutate: (c) => {
      Object.assign(c.info, { 'x-lifecycle': 'deprecated', 'x-deprecated-at': '2026-12-01', 'x-sunset': 'next summer' });
    },
    expect: ['ps-info-lifecycle-dates'],
  },
  {
    name: 'post-no-key',
    mutate: (c) => {
      post(c).parameters = [];
    },
    expect: ['ps-idempotency-key'],
  },
  {
    name: 'post-idempotent-by',
    mutate: (c) => {
      post(c).parameters = [];
      post(c)['x-idempotent-by'] = 'The widget id is derived from the request.';
    },
    expect: [],
  },
  {
    name: 'list-no-cursor',
    mutate: (c) => {
      get(c).parameters = [{ $ref: '../components/parameters.yaml#/Limit' }];
    },
    expect: ['ps-collection-pagination'],
  },
  {
    name: 'list-no-limit',
    mutate: (c) => {
      get(c).parameters = [{ $ref: '../components/parameters.yaml#/Cursor' }];
    },
    expect: ['ps-collection-pagination'],
  },
  {
    name: 'list-bare-array',
    mutate: (c) => {
      get(c).responses['200'].content['application/json'].schema = {
        type: 'array',
        maxItems: 10,
        items: { $ref: '#/components/schemas/Widget' },
      };
    },
    expect: ['ps-collection-pagination'],
  },
  {
    name: 'request-string-no-pattern',
    mutate: (c) => {
      c.components.schemas.Widget.properties.displayName = { type: 'string', maxLength: 100 };
    },
    expect: ['ps-string-no-control-characters'],
  },
  {
    name: 'request-string-accepts-nul',
    mutate: (c) => {
      // \S matches NUL and ESC: the pattern looks strict and lets control characters through.
      c.components.schemas.Widget.properties.displayName = { type: 'string', maxLength: 100, pattern: '^\\S(.*\\S)?$' };
    },
    expect: ['ps-string-no-control-characters'],
  },
  {
    name: 'request-string-accepts-del',
    mutate: (c) => {
      c.components.schemas.Widget.properties.displayName = { type: 'string', maxLength: 100, pattern: '^[^\\x00-\\x1F]*$' };
    },
    expect: ['ps-string-no-control-characters'],
  },
  {
    name: 'request-string-shared-text',
    mutate: (c) => {
      c.components.schemas.Widget.properties.displayName = { $ref: '../components/schemas/common.yaml#/Text' };
    },
    expect: [],
  },
  {
    name: 'request-string-closed-by-enum',
    mutate: (c) => {
      c.components.schemas.Widget.properties.displayName = { type: 'string', enum: ['small', 'large'] };
    },
    expect: [],
  },
];

function get2(c: Contract) {
  return c.paths['/widget_parts'].get;
}

function fileFor(testCase: Case): string {
  const layer = testCase.layer ?? 'system';
  return path.join('openapi', layer, testCase.fileName ?? `${testCase.name}.v1.yaml`);
}

let dir: string;
const findingsByCase = new Map<string, Finding[]>();

beforeAll(async () => {
  dir = await scratchProject(PROJECT_ROOT);
  const files: string[] = [];
  for (const testCase of cases) {
    const contract = baseContract();
    contract.servers[0].url = `/system/${testCase.name}/v1`;
    testCase.mutate(contract);
    files.push(await writeContract(dir, fileFor(testCase), contract));
  }
  const findings = await runSpectral(files, { ruleset: path.join(dir, 'spectral.yaml'), rootDir: PROJECT_ROOT });
  for (const testCase of cases) {
    const file = path.join(dir, fileFor(testCase));
    findingsByCase.set(
      testCase.name,
      findings.filter((f) => f.source === file),
    );
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('spectral.yaml house rules', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const findings = findingsByCase.get(testCase.name) ?? [];
    const errorCodes = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.code));
    if (testCase.expect.length === 0) {
      expect(findings.filter((f) => f.severity === 'error' || f.severity === 'warning')).toEqual([]);
    }
    for (const rule of testCase.expect) expect([...errorCodes], `expected ${rule}`).toContain(rule);
    // Each bad case breaks only what it means to: no unrelated house rule fires.
    const unrelated = [...errorCodes].filter((code) => code.startsWith('ps-') && !testCase.expect.includes(code));
    expect(unrelated).toEqual([]);
    for (const rule of testCase.absent ?? []) expect([...errorCodes]).not.toContain(rule);
  });
});

describe('spectral.yaml itself', () => {
  it('anchors every regular expression at both ends', async () => {
    const ruleset = parse(await readFile(path.join(PROJECT_ROOT, 'spectral.yaml'), 'utf8')) as { rules: Record<string, unknown> };
    const patterns: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if ((key === 'match' || key === 'notMatch') && typeof value === 'string') patterns.push(value);
          else collect(value);
        }
      }
    };
    collect(ruleset.rules);
    expect(patterns.length).toBeGreaterThan(3);
    for (const pattern of patterns) expect(pattern, pattern).toMatch(/^\^[\s\S]*\$$/);
  });

  it('gives a written reason next to every rule it turns off', async () => {
    const text = await readFile(path.join(PROJECT_ROOT, 'spectral.yaml'), 'utf8');
    const lines = text.split('\n');
    const offLines = lines.map((line, i) => [line, i] as const).filter(([line]) => /^\s+[\w:.-]+:\s*off\s*$/.test(line));
    expect(offLines.length).toBeGreaterThan(0);
    for (const [line, i] of offLines) {
      expect(lines[i - 1].trim(), `no reason above "${line.trim()}"`).toMatch(/^#/);
    }
  });
});
