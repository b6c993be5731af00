// Every example in every contract validates against its schema (JSON Schema 2020-12, as OpenAPI
// 3.1 uses): media-type, parameter and schema examples, so docs, the mock and the SDK never
// show a consumer something the layer would refuse or never send.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../core/contracts/catalogue.js';
import type { ApiContract } from '../../core/contracts/types.js';

// ajv-formats is CommonJS; its module object also carries the plugin as .default, which is what TypeScript sees.
const addFormats = addFormatsModule.default;

interface Example {
  where: string;
  /** JSON pointer of the schema inside the bundled contract. */
  schemaPointer: string;
  value: unknown;
}

const escape = (segment: string | number) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks the bundled document and collects every example next to the schema it illustrates. */
function collectExamples(document: Node): Example[] {
  const found: Example[] = [];
  const visit = (node: unknown, trail: Array<string | number>) => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, [...trail, i]));
    if (!isNode(node)) return;
    const pointer = `/${trail.map(escape).join('/')}`;
    const isSchema = trail.at(-1) === 'schema' || trail.at(-2) === 'schemas' || trail.at(-2) === 'properties' || trail.at(-1) === 'items';
    // A media type or parameter: `example` / `examples.{name}.value` against its `schema`.
    if (isNode(node.schema) && !isSchema) {
      if (node.example !== undefined) found.push({ where: `${pointer}/example`, schemaPointer: `${pointer}/schema`, value: node.example });
      if (isNode(node.examples)) {
        for (const [name, example] of Object.entries(node.examples)) {
          if (isNode(example) && example.value !== undefined)
            found.push({ where: `${pointer}/examples/${escape(name)}`, schemaPointer: `${pointer}/schema`, value: example.value });
        }
      }
    }
    // A schema: `examples: [...]` (JSON Schema) and the older `example`.
    if (isSchema) {
      if (Array.isArray(node.examples))
        node.examples.forEach((value, i) => found.push({ where: `${pointer}/examples/${i}`, schemaPointer: pointer, value }));
      if (node.example !== undefined) found.push({ where: `${pointer}/example`, schemaPointer: pointer, value: node.example });
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'example' || (key === 'examples' && (isSchema || !isNode(node.schema)))) continue;
      visit(child, [...trail, key]);
    }
  };
  visit(document, []);
  return found;
}

function validatorFor(contract: ApiContract) {
  // strict: false — the document carries OpenAPI keywords (paths, discriminator, x-…) Ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  const id = `urn:contract:${contract.layer}:${contract.api}:v${contract.major}`;
  ajv.addSchema({ ...contract.bundled, $id: id });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (example: Example) => {
    let validate = compiled.get(example.schemaPointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${id}#${example.schemaPointer}` });
      compiled.set(example.schemaPointer, validate);
    }
    return validate(example.value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  };
}

let catalogue: ApiContract[];

beforeAll(async () => {
  catalogue = await loadCatalogue();
});

describe('contract examples', () => {
  it('finds examples to check in the contracts', () => {
    const total = catalogue.reduce((sum, contract) => sum + collectExamples(contract.bundled).length, 0);
    expect(total).toBeGreaterThan(20);
  });

  it('every example validates against its schema', () => {
    const failures: string[] = [];
    for (const contract of catalogue) {
      const check = validatorFor(contract);
      for (const example of collectExamples(contract.bundled)) {
        const errors = check(example);
        if (errors.length > 0) failures.push(`${contract.file} ${example.where}: ${errors.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects an example that does not fit its schema (the check can fail)', () => {
    const contract = catalogue.find((c) => collectExamples(c.bundled).some((e) => isNode(e.value)))!;
    const example = collectExamples(contract.bundled).find((e) => isNode(e.value))!;
    expect(validatorFor(contract)({ ...example, value: 'not an object' })).not.toEqual([]);
  });
});
