// Canonical ids are UUIDv7: unique without coordination and ordered by creation time. The layer's
// own records take them too; the cross-references (core/xref) map them to each platform's ids.
import { v7 as uuidv7, validate, version } from 'uuid';

export function newId(): string {
  return uuidv7();
}

export function isCanonicalId(value: string): boolean {
  return validate(value) && version(value) === 7;
}
