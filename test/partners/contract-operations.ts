// What the partner-kit tests share: every operation of every experience contract (read from the
// contracts, so a new operation without a call fails), a valid request for it built from the
// contract's own examples, and a validator of answers against the contract's response schemas.
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { bundleContract, listContractFiles, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { resolveLocalRef } from '../../core/contracts/refs.js';
import { contractOperations, type ContractOperation } from '../../scripts/contracts/sdk.js';

const addFormats = addFormatsModule.default;
type Node = Record<string, unknown>;

export interface ExperienceContract {
  /** `crm.v2` */
  name: string;
  file: string;
  document: Node;
  operations: ContractOperation[];
}

export async function experienceContracts(): Promise<ExperienceContract[]> {
  const files = (await listContractFiles()).filter((c) => c.layer === 'experience');
  return Promise.all(
    files.map(async (c) => {
      const document = await bundleContract(join(PROJECT_ROOT, c.file), c.file);
      return { name: `${c.api}.v${c.major}`, file: c.file, document, operations: contractOperations(document) };
    }),
  );
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

const operationPointer = (op: ContractOperation) => `/paths/${escape(op.path)}/${op.method.toLowerCase()}`;
const operationOf = (document: Node, op: ContractOperation) =>
  ((document.paths as Record<string, Node>)[op.path][op.method.toLowerCase()] ?? {}) as Node;

export interface SampleRequest {
  /** The path with its parameters filled in, relative to the base path. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A request the contract accepts: its parameters' and request body's own examples. */
export function sampleRequest(document: Node, op: ContractOperation): SampleRequest {
  const operation = operationOf(document, op);
  let path = op.path;
  const headers: Record<string, string> = {};
  for (const raw of (operation.parameters ?? []) as unknown[]) {
    const parameter = resolveLocalRef(document, raw).node;
    if (parameter.required !== true) continue;
    const schema = resolveLocalRef(document, parameter.schema).node;
    const example = parameter.example ?? (schema.examples as unknown[] | undefined)?.[0] ?? schema.example ?? schema.minimum;
    if (example === undefined)
      throw new Error(`${String(operation.operationId)}: required parameter ${String(parameter.name)} has no example`);
    if (parameter.in === 'path') path = path.replace(`{${String(parameter.name)}}`, encodeURIComponent(String(example)));
    if (parameter.in === 'header') headers[String(parameter.name)] = String(example);
  }
  const requestBody = resolveLocalRef(document, operation.requestBody).node;
  const media = ((requestBody.content ?? {}) as Record<string, Node>)['application/json'];
  if (!media) return { path, headers };
  const body =
    media.example ?? Object.values((media.examples ?? {}) as Record<string, Node>).map((e) => resolveLocalRef(document, e).node.value)[0];
  return { path, headers: { ...headers, 'content-type': 'application/json' }, body };
}

/** Checks an answer against the schema the contract gives for that operation, status and content type. */
export function responseValidator(contract: ExperienceContract) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  const id = `urn:contract:partners:${contract.name}`;
  ajv.addSchema({ ...contract.document, $id: id });
  return (op: ContractOperation, status: number, contentType: string, body: unknown): string[] => {
    const responses = (operationOf(contract.document, op).responses ?? {}) as Record<string, unknown>;
    if (!(String(status) in responses)) return [`${op.operationId} does not document ${status}`];
    const response = resolveLocalRef(contract.document, responses[String(status)], `${operationPointer(op)}/responses/${status}`);
    const media = Object.keys((response.node.content ?? {}) as Node).find((type) => contentType.startsWith(type));
    if (!media) return [`${op.operationId} ${status} does not document ${contentType}`];
    const validate = ajv.compile({ $ref: `${id}#${response.pointer}/content/${escape(media)}/schema` });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${op.operationId} ${status}: ${e.instancePath || '/'} ${e.message}`);
  };
}
