// Client matching rules: the same client must never be created twice in ERP. Two
// records are the same client when their normalised names are equal AND they share a
// web domain or a tax id. Match keys are what the layer's store indexes uniquely.
import { createHash } from 'node:crypto';
import { domainOf } from './mapping.js';

/** Legal-form suffixes (and a few prefixes) that do not tell clients apart. */
const LEGAL_FORMS = new Set([
  'ltd',
  'limited',
  'plc',
  'llp',
  'lp',
  'llc',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'ev',
  'mbh',
  'se',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'as',
  'aps',
  'pty',
  'pte',
  'kk',
  'the',
  'group',
  'holdings',
]);

/** Lower case, no accents, `&` as `and`, no punctuation, no legal forms, single spaces. */
export function normaliseClientName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/&/g, ' and ')
    // "G.m.b.H." and "S.A." collapse to one token before punctuation goes.
    .replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  // Strip legal forms from the end (and a leading "the"), keeping at least one word.
  while (words.length > 1 && LEGAL_FORMS.has(words[words.length - 1]!)) words.pop();
  while (words.length > 1 && words[0] === 'the') words.shift();
  // "mbh" after "gmbh" split as "gmb h" is handled by the collapse above.
  return words.join(' ');
}

/** Tax ids compare without spaces, dots and dashes, upper case (GB 123 4567 89 = GB123456789). */
export function normaliseTaxId(taxId: string): string {
  return taxId.toUpperCase().replace(/[\s.\-/]/g, '');
}

export function normaliseDomain(domainOrUrl: string): string {
  return domainOf(domainOrUrl);
}

export interface MatchableClient {
  name: string;
  domain?: string;
  taxId?: string;
}

/** The keys a client is found by: one per (name, domain) and (name, tax id) it has. */
export function matchKeys(client: MatchableClient): string[] {
  const name = normaliseClientName(client.name);
  const keys: string[] = [];
  if (client.domain && normaliseDomain(client.domain)) keys.push(hashKey(`name:${name}|domain:${normaliseDomain(client.domain)}`));
  if (client.taxId && normaliseTaxId(client.taxId)) keys.push(hashKey(`name:${name}|tax:${normaliseTaxId(client.taxId)}`));
  return keys;
}

/** True when two records are the same client under the rules above. */
export function sameClient(a: MatchableClient, b: MatchableClient): boolean {
  const keysA = new Set(matchKeys(a));
  return matchKeys(b).some((key) => keysA.has(key));
}

// Hashed so that keys are fixed-length and hold no personal data in plain text.
function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
