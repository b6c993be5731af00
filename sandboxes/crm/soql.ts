// A SOQL subset: SELECT fields FROM object [WHERE c AND c ...] [ORDER BY f [ASC|DESC]
// [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]. Conditions: = != <> < > <= >= LIKE, IN
// and NOT IN on literals (strings, numbers, booleans, null, dates, datetimes, TODAY).
// As in Salesforce, keywords and field names are case-insensitive and so are string comparisons.
import type { SObjectName } from './ids.js';
import { OBJECTS, fieldName, isObjectName } from './schema.js';
import { SfRecordError } from './records.js';
import type { StoredRecord } from './state.js';

type Literal = string | number | boolean | null;
type Op = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'IN' | 'NOT IN';

export interface Condition {
  field: string;
  op: Op;
  value: Literal | Literal[];
}
export interface OrderBy {
  field: string;
  desc: boolean;
  nullsLast: boolean;
}
export interface SoqlQuery {
  object: SObjectName;
  fields: string[];
  where: Condition[];
  orderBy: OrderBy[];
  limit?: number;
  offset?: number;
}

const malformed = (message: string) => new SfRecordError(400, [{ message, errorCode: 'MALFORMED_QUERY', fields: [] }]);

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(\d{4}-\d{2}-\d{2})|(-?\d+(?:\.\d+)?)|(!=|<>|<=|>=|[=<>(),])|([A-Za-z_][A-Za-z0-9_.]*))/y;

interface Token {
  kind: 'string' | 'datetime' | 'date' | 'number' | 'symbol' | 'word';
  text: string;
}

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < q.length) {
    if (/^\s*$/.test(q.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(q);
    if (!m) throw malformed(`unexpected token: '${q.slice(pos).trim().split(/\s+/)[0]}'`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'string', text: m[1].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) out.push({ kind: 'datetime', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'date', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'number', text: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'symbol', text: m[5] });
    else out.push({ kind: 'word', text: m[6] });
  }
  return out;
}

export function parseSoql(q: string): SoqlQuery {
  const tokens = tokenize(q);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (w: string) => peek()?.kind === 'word' && peek().text.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw malformed(`expecting '${w}', found '${peek()?.text ?? 'end of query'}'`);
    i++;
  };
  const next = () => {
    const t = tokens[i++];
    if (!t) throw malformed('unexpected end of query');
    return t;
  };

  expectWord('SELECT');
  const rawFields: string[] = [];
  do {
    const t = next();
    if (t.kind !== 'word') throw malformed(`unexpected token: '${t.text}'`);
    rawFields.push(t.text);
  } while (peek()?.text === ',' && ++i);
  expectWord('FROM');
  const objectToken = next();
  const objectName = Object.keys(OBJECTS).find((o) => o.toLowerCase() === objectToken.text.toLowerCase());
  if (!objectName || !isObjectName(objectName)) {
    throw new SfRecordError(400, [
      { message: `sObject type '${objectToken.text}' is not supported.`, errorCode: 'INVALID_TYPE', fields: [] },
    ]);
  }
  const object = objectName;
  const field = (raw: string) => {
    const name = fieldName(object, raw);
    if (!name)
      throw new SfRecordError(400, [{ message: `No such column '${raw}' on entity '${object}'.`, errorCode: 'INVALID_FIELD', fields: [] }]);
    return name;
  };
  const fields = [...new Set(rawFields.map(field))];

  const literal = (): Literal => {
    const t = next();
    if (t.kind === 'string' || t.kind === 'date' || t.kind === 'datetime') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'word') {
      const w = t.text.toUpperCase();
      if (w === 'TRUE' || w === 'FALSE') return w === 'TRUE';
      if (w === 'NULL') return null;
      if (w === 'TODAY') return new Date().toISOString().slice(0, 10);
    }
    throw malformed(`unexpected token: '${t.text}'`);
  };

  const where: Condition[] = [];
  if (isWord('WHERE')) {
    i++;
    do {
      const f = field(next().text);
      let op: Op;
      if (isWord('NOT')) {
        i++;
        expectWord('IN');
        op = 'NOT IN';
      } else if (isWord('IN')) {
        i++;
        op = 'IN';
      } else if (isWord('LIKE')) {
        i++;
        op = 'LIKE';
      } else {
        const t = next();
        if (t.kind !== 'symbol' || !['=', '!=', '<>', '<', '>', '<=', '>='].includes(t.text))
          throw malformed(`unexpected token: '${t.text}'`);
        op = (t.text === '<>' ? '!=' : t.text) as Op;
      }
      if (op === 'IN' || op === 'NOT IN') {
        if (next().text !== '(') throw malformed(`expecting '(' after ${op}`);
        const values: Literal[] = [literal()];
        while (peek()?.text === ',') {
          i++;
          values.push(literal());
        }
        if (next().text !== ')') throw malformed(`expecting ')'`);
        where.push({ field: f, op, value: values });
      } else {
        where.push({ field: f, op, value: literal() });
      }
      if (isWord('OR')) throw malformed('OR is not supported by this org; combine conditions with AND');
    } while (isWord('AND') && ++i);
  }

  const orderBy: OrderBy[] = [];
  if (isWord('ORDER')) {
    i++;
    expectWord('BY');
    do {
      const f = field(next().text);
      let desc = false;
      if (isWord('ASC')) i++;
      else if (isWord('DESC')) {
        i++;
        desc = true;
      }
      let nullsLast = desc; // Salesforce default: nulls first ascending, last descending
      if (isWord('NULLS')) {
        i++;
        if (isWord('FIRST')) nullsLast = false;
        else if (isWord('LAST')) nullsLast = true;
        else throw malformed(`expecting FIRST or LAST after NULLS`);
        i++;
      }
      orderBy.push({ field: f, desc, nullsLast });
    } while (peek()?.text === ',' && ++i);
  }
  const count = (word: string): number | undefined => {
    if (!isWord(word)) return undefined;
    i++;
    const t = next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw malformed(`${word} must be a non-negative integer`);
    return Number(t.text);
  };
  const limit = count('LIMIT');
  const offset = count('OFFSET');
  if (offset !== undefined && offset > 2000) {
    throw new SfRecordError(400, [{ message: 'Maximum SOQL offset allowed is 2000', errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', fields: [] }]);
  }
  if (i < tokens.length) throw malformed(`unexpected token: '${tokens[i].text}'`);
  return { object, fields, where, orderBy, limit, offset };
}

function comparable(value: unknown): number | string | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (typeof value === 'string') return value.toLowerCase();
  return value as number | boolean;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function matches(record: StoredRecord, c: Condition): boolean {
  const actual = comparable(record[c.field]);
  if (c.op === 'IN' || c.op === 'NOT IN') {
    const found = (c.value as Literal[]).some((v) => comparable(v) === actual);
    return c.op === 'IN' ? found : !found;
  }
  const expected = comparable(c.value);
  switch (c.op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'LIKE':
      return typeof actual === 'string' && typeof c.value === 'string' && likeToRegExp(c.value).test(String(record[c.field]));
    default: {
      if (actual === null || expected === null) return false;
      if (c.op === '<') return actual < expected;
      if (c.op === '>') return actual > expected;
      if (c.op === '<=') return actual <= expected;
      return actual >= expected;
    }
  }
}

/** Runs a parsed query over the records: filter, sort (Id as the last tie-breaker), offset, limit. */
export function runSoql(query: SoqlQuery, records: Iterable<StoredRecord>): StoredRecord[] {
  const rows = [...records].filter((r) => query.where.every((c) => matches(r, c)));
  rows.sort((a, b) => {
    for (const o of query.orderBy) {
      const x = comparable(a[o.field]);
      const y = comparable(b[o.field]);
      if (x === y) continue;
      if (x === null) return o.nullsLast ? 1 : -1;
      if (y === null) return o.nullsLast ? -1 : 1;
      return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    return a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0;
  });
  const start = query.offset ?? 0;
  return rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
}
