// How a person finds a platform's record that the layer knows by canonical id: the platform's own
// id and, where the vendor has one, the page that shows it. One shape for every system API.
import type { CrossReferences } from '../../core/xref/index.js';

/** A record's native id (as text, whatever the platform's id type) and its page; null where the vendor has none. */
export interface RecordLink {
  nativeId: string;
  url: string | null;
}

/**
 * The links of many canonical records of one entity type, read from the cross-references in bulk
 * (one query per few hundred ids); ids the platform never had are left out.
 */
export async function recordLinksOf<E extends string, N extends string | number>(
  ids: CrossReferences<E, N>,
  entity: E,
  canonicalIds: readonly string[],
  pageOf: (nativeId: string) => string | null,
): Promise<Map<string, RecordLink>> {
  const natives = await ids.nativeMany(entity, canonicalIds);
  const links = new Map<string, RecordLink>();
  for (const [canonicalId, native] of natives) {
    const nativeId = String(native);
    links.set(canonicalId, { nativeId, url: pageOf(nativeId) });
  }
  return links;
}
