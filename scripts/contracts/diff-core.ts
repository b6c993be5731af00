// Classifies what changed between two versions of the contract tree with api-smart-diff:
// the governance board's gate. A breaking change is allowed only as a new major version
// (a new file); a contract version may disappear only once it is retired.
import path from 'node:path';
import { apiCompare } from 'api-smart-diff';
import { bundleContract, describeContract, listContractFiles } from '../../core/contracts/catalogue.js';

export type ChangeType = 'breaking' | 'non-breaking' | 'deprecated' | 'annotation' | 'unclassified';

export interface Change {
  type: ChangeType;
  action: string;
  path: string;
  description: string;
  /** Set on a breaking change the board accepted within the major (openapi/accepted-changes.yaml). */
  acceptedBecause?: string;
}

export interface ContractChange {
  file: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  changes: Change[];
  /** Why this contract blocks the change, when it does. */
  violation?: string;
}

// Component diffs repeat (ambiguously, without the request/response direction) what the
// operations that use them already report; an unused component concerns no consumer.
const CONSUMER_FACING = /^(paths|webhooks|servers|security)(\.|$)/;

// api-smart-diff calls a replaced `type` non-breaking (integer -> string in a response, say);
// for a consumer decoding the field it is not, so the gate treats it as breaking.
const TYPE_REPLACED = /\.type$/;

export function compareDocuments(before: object, after: object): Change[] {
  // apiCompare annotates the documents it is given in place; the callers still need theirs.
  const { diffs } = apiCompare(structuredClone(before), structuredClone(after));
  return diffs
    .map((diff) => {
      const path = (diff.path ?? []).map(String).join('.');
      const typeReplaced = String(diff.action) === 'replace' && TYPE_REPLACED.test(path) && diff.type === 'non-breaking';
      return {
        type: (typeReplaced ? 'breaking' : diff.type) as ChangeType,
        action: String(diff.action),
        path,
        description: diff.description ?? `${String(diff.action)} ${(diff.path ?? []).join('.')}`,
      };
    })
    .filter((change) => CONSUMER_FACING.test(change.path));
}

async function bundledTree(rootDir: string): Promise<Map<string, { bundled: Record<string, unknown>; lifecycle: string }>> {
  const tree = new Map<string, { bundled: Record<string, unknown>; lifecycle: string }>();
  for (const entry of await listContractFiles(rootDir)) {
    const bundled = await bundleContract(path.join(rootDir, entry.file), entry.file);
    const info = (bundled.info ?? {}) as Record<string, unknown>;
    tree.set(entry.file, { bundled, lifecycle: String(info['x-lifecycle'] ?? 'active') });
    // Fails loudly, naming the file, if the new tree's contract is inconsistent.
    describeContract(entry, bundled);
  }
  return tree;
}

/** Compares every contract in `baseDir` (the old tree) with the one in `headDir`. */
export async function compareTrees(baseDir: string, headDir: string): Promise<ContractChange[]> {
  const [base, head] = await Promise.all([bundledTree(baseDir), bundledTree(headDir)]);
  const files = [...new Set([...base.keys(), ...head.keys()])].sort();
  return files.map((file): ContractChange => {
    const before = base.get(file);
    const after = head.get(file);
    if (!before) return { file, status: 'added', changes: [] };
    if (!after) {
      return before.lifecycle === 'retired'
        ? { file, status: 'removed', changes: [] }
        : {
            file,
            status: 'removed',
            changes: [],
            violation: `removed while still ${before.lifecycle}; retire it (x-lifecycle: retired, x-sunset, x-successor) before removing it`,
          };
    }
    const changes = compareDocuments(before.bundled, after.bundled);
    if (changes.length === 0) return { file, status: 'unchanged', changes };
    const breaking = changes.filter((c) => c.type === 'breaking').length;
    return {
      file,
      status: 'changed',
      changes,
      ...(breaking > 0
        ? { violation: `${breaking} breaking change(s) within the same major version; publish them as a new major (a new file)` }
        : {}),
    };
  });
}
