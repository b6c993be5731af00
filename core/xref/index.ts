// Cross-references: canonical ids (UUIDv7) mapped to each platform's native ids.
export { newId, isCanonicalId } from '../ids.js';
export { link, findCanonical, findNative, findAllNative, getOrCreateCanonical } from './xref.js';
export type { XrefLink, NativeRef, GetOrCreateResult } from './xref.js';
export type { XrefTable } from './schema.js';
export { CrossReferences, numericIds, textIds } from './cross-references.js';
export type { CrossReferencesOptions, NativeIdCodec, NativeRefWithHint } from './cross-references.js';
