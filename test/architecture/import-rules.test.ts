// The rule of calls as a test: every import in the tree (static, type-only, re-exports and
// dynamic import()) is checked against the import rules of the design (layers, journeys,
// sandboxes, the composition root), and no layer above the system APIs reads the
// cross-reference table. Known offences are listed exactly and may only shrink.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../core/contracts/catalogue.js';

const SKIP_DIRS = new Set(['node_modules', 'generated', 'var', 'dist', '.git']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) || entry.name.startsWith('.') ? [] : sourceFiles(join(dir, entry.name));
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [];
  });
}

/** Repository-relative, forward slashes. */
const repoPath = (file: string) => relative(PROJECT_ROOT, file).split(sep).join('/');

export interface Import {
  from: string;
  to: string;
}

/** Every relative import of a file, resolved to a repository path (`.js` specifiers name `.ts` sources). */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ from: repoPath(file), to: repoPath(resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))) }));
}

const top = (path: string) => path.split('/')[0]!;
const isTest = (path: string) => path.endsWith('.test.ts') || top(path) === 'test';

/** process-apis/<journey>/…: the journey a file belongs to, or undefined (the layer's index, kit/). */
function journeyOf(path: string): string | undefined {
  const [layer, journey, file] = path.split('/');
  return layer === 'process-apis' && file !== undefined && journey !== 'kit' ? journey : undefined;
}

const ABOVE_CORE = ['system-apis', 'process-apis', 'experience-apis', 'gateway', 'sandboxes', 'scripts', 'bench', 'test'];
/** The layers that call the system APIs, which alone translate canonical ids into platform ids. */
const ABOVE_SYSTEM = ['process-apis', 'experience-apis'];
const CROSS_REFERENCES_RULE =
  'process-apis/ and experience-apis/ name platform records only through the system APIs (recordLinks), never core/xref or the xref table';

/**
 * A query on the cross-reference table in a file's text: a Kysely builder naming `xref`, or SQL
 * that reads or writes it.
 */
export function queriesXref(text: string): boolean {
  return (
    /\b(?:selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|with)\(\s*['"`]xref\b/.test(
      text,
    ) || /\b(?:from|join|into|update)\s+"?xref"?\b/i.test(text)
  );
}

/** Only these wire layers together (import the composition root). */
const WIRING = new Set(['gateway', 'scripts', 'bench', 'test']);

/** The rule an import breaks, or undefined. Rules: ../shared/DESIGN.md "Import rules". */
export function offence({ from, to }: Import): string | undefined {
  if (isTest(from)) return undefined; // tests wire layers together
  const source = top(from);
  const target = top(to);
  if (source === 'core' && ABOVE_CORE.includes(target)) return 'core/ imports nothing above it';
  if (source === 'system-apis' && ['process-apis', 'experience-apis', 'gateway', 'sandboxes'].includes(target))
    return 'system-apis/ never imports process-apis/, experience-apis/, gateway/ or sandboxes/';
  if (source === 'process-apis' && ['experience-apis', 'gateway'].includes(target))
    return 'process-apis/ never imports experience-apis/ or gateway/';
  if (ABOVE_SYSTEM.includes(source) && to.startsWith('core/xref/')) return CROSS_REFERENCES_RULE;
  const fromJourney = journeyOf(from);
  const toJourney = journeyOf(to);
  if (fromJourney && toJourney && fromJourney !== toJourney)
    return "a journey never imports another journey's internals (shared logic lives in process-apis/kit/)";
  if (from.startsWith('process-apis/kit/') && toJourney) return 'process-apis/kit/ is shared by every journey and imports none';
  if (source === 'experience-apis' && target === 'gateway') return 'experience-apis/ never imports gateway/';
  if (source === 'sandboxes' && target === 'system-apis') return 'sandboxes/ never imports system-apis/';
  if (target === 'gateway' && !WIRING.has(source)) return 'only gateway/, scripts/, bench/ and tests wire layers together';
  return undefined;
}

/**
 * Imports that break a rule today, each to be removed by the change that fixes it. A listed
 * import that no longer offends fails the test, so this list can only shrink.
 */
const KNOWN_OFFENDERS: readonly string[] = [];

describe('import rules', () => {
  const files = sourceFiles(PROJECT_ROOT);
  const offences = files
    .flatMap((file) => importsOf(file))
    .map((i) => ({ ...i, rule: offence(i) }))
    .filter((i): i is Import & { rule: string } => i.rule !== undefined);
  const keyOf = (i: Import) => `${i.from} -> ${i.to}`;

  it('reads the whole tree, including dynamic imports and re-exports', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(importsOf('x/a.ts', "export * from './b.js';\nconst m = await import('../c.js');\nimport type { T } from './d.js';")).toEqual([
      { from: 'x/a.ts', to: 'x/b.ts' },
      { from: 'x/a.ts', to: 'c.ts' },
      { from: 'x/a.ts', to: 'x/d.ts' },
    ]);
  });

  it('catches each kind of offence', () => {
    expect(offence({ from: 'core/store/index.ts', to: 'gateway/compose.ts' })).toMatch(/core/);
    expect(offence({ from: 'system-apis/erp/service.ts', to: 'process-apis/index.ts' })).toMatch(/system-apis/);
    expect(offence({ from: 'process-apis/time-to-billing/rating.ts', to: 'experience-apis/crm/v2.ts' })).toMatch(/process-apis/);
    expect(offence({ from: 'process-apis/opportunity-to-project/x.ts', to: 'process-apis/time-to-billing/rating.ts' })).toMatch(/journey/);
    expect(offence({ from: 'process-apis/kit/x.ts', to: 'process-apis/time-to-billing/rating.ts' })).toMatch(/kit/);
    expect(offence({ from: 'experience-apis/crm/routes.ts', to: 'gateway/apis.ts' })).toMatch(/experience-apis/);
    expect(offence({ from: 'sandboxes/erp/seed.ts', to: 'system-apis/erp/vendor-types.ts' })).toMatch(/sandboxes/);
    expect(offence({ from: 'process-apis/kit/x.ts', to: 'core/xref/index.ts' })).toBe(CROSS_REFERENCES_RULE);
    expect(offence({ from: 'experience-apis/operations/x.ts', to: 'core/xref/cross-references.ts' })).toBe(CROSS_REFERENCES_RULE);
    expect(offence({ from: 'system-apis/erp/ids.ts', to: 'core/xref/index.ts' })).toBeUndefined();
    expect(offence({ from: 'core/x.ts', to: 'core/y.ts' })).toBeUndefined();
    expect(offence({ from: 'process-apis/index.ts', to: 'process-apis/time-to-billing/index.ts' })).toBeUndefined();
    expect(offence({ from: 'process-apis/time-to-billing/x.ts', to: 'process-apis/kit/paging.ts' })).toBeUndefined();
    expect(offence({ from: 'test/journeys/x.test.ts', to: 'gateway/compose.ts' })).toBeUndefined();
  });

  it('finds no import that breaks a rule, beyond the known offenders', () => {
    const unexpected = offences.filter((i) => !KNOWN_OFFENDERS.includes(keyOf(i))).map((i) => `${keyOf(i)}  (${i.rule})`);
    expect(unexpected).toEqual([]);
  });

  it('finds no query on the xref table above the system APIs', () => {
    expect(queriesXref("db.selectFrom('xref').select('native_id')"), 'a Kysely read').toBe(true);
    expect(queriesXref('db.deleteFrom("xref")'), 'a Kysely delete').toBe(true);
    expect(queriesXref('sql`select native_id from xref where canonical_id = ${id}`'), 'raw SQL').toBe(true);
    expect(queriesXref("db.selectFrom('xref_audit')"), 'another table').toBe(false);
    expect(queriesXref("// resolved through the system APIs' cross-references"), 'a mention in prose').toBe(false);
    const above = files.filter((file) => ABOVE_SYSTEM.includes(top(repoPath(file))) && !isTest(repoPath(file)));
    expect(above.length, 'the process and experience layers were read').toBeGreaterThan(50);
    const querying = above.filter((file) => queriesXref(readFileSync(file, 'utf8'))).map(repoPath);
    expect(querying, CROSS_REFERENCES_RULE).toEqual([]);
  });

  it('lists no known offender that no longer offends (the list only shrinks)', () => {
    const still = new Set(offences.map(keyOf));
    expect(KNOWN_OFFENDERS.filter((k) => !still.has(k))).toEqual([]);
  });
});
