// Salesforce record ids: 3-character key prefix, pod, reserved character and a base-62
// record number (15 case-sensitive characters), plus the 3-character case-safe suffix
// that encodes which of the 15 characters are upper case.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export type SObjectName = 'Account' | 'Contact' | 'Opportunity';
export const KEY_PREFIX: Record<SObjectName, string> = { Account: '001', Contact: '003', Opportunity: '006' };

/** The 3-character suffix: per 5-character chunk, bit i set when character i is A–Z. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

export function to18(id15: string): string {
  return id15 + caseSafeSuffix(id15);
}

/** Record number n of an object as an 18-character id (`001Dn0000000001` + suffix). */
export function recordId(type: SObjectName, n: number, pod = 'Dn'): string {
  let digits = '';
  let rest = n;
  do {
    digits = BASE62[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return to18(`${KEY_PREFIX[type]}${pod}0${digits.padStart(9, '0')}`);
}

/**
 * The canonical 18-character form of a 15- or 18-character id, or undefined when it is not
 * well formed (bad characters, wrong length, or an 18-character id whose suffix disagrees).
 */
export function normaliseId(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const full = to18(id15);
  if (id.length === 18 && id.slice(15).toUpperCase() !== full.slice(15)) return undefined;
  return full;
}

export function objectOfId(id18: string): SObjectName | undefined {
  const prefix = id18.slice(0, 3);
  return (Object.keys(KEY_PREFIX) as SObjectName[]).find((t) => KEY_PREFIX[t] === prefix);
}
