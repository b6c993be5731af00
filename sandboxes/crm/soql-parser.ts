// Parses the SOQL the sandbox answers: SELECT fields | COUNT() FROM object [WHERE …] [ORDER BY …]
// [LIMIT n] [OFFSET n]. Fields may be a parent's through a relationship (`Account.Name`); WHERE
// takes AND, OR, NOT and parentheses, with SOQL's rule that mixing AND and OR needs parentheses.
import type { SObjectName } from './ids.js';
import { OBJECTS, fieldName, isObjectName, relationshipField } from './schema.js';
import { SfRecordError } from './records.js';

export type Literal = string | number | boolean | null;
export type Op = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'IN' | 'NOT IN';

/** A field of the queried object, or of its parent through a relationship (`Account.Name`). */
export interface FieldRef {
  /** The field on the queried object; for a parent's field, the reference field that leads to it (AccountId). */
  field: string;
  parent?: { relationship: string; object: SObjectName; field: string };
}
export interface Condition {
  ref: FieldRef;
  /** The field as written in declared spelling (`Name`, `Account.Name`). */
  field: string;
  op: Op;
  value: Literal | Literal[];
}
export type Where = { kind: 'and' | 'or'; items: Where[] } | { kind: 'not'; item: Where } | ({ kind: 'condition' } & Condition);
export interface OrderBy {
  ref: FieldRef;
  field: string;
  desc: boolean;
  nullsLast: boolean;
}
export interface SoqlQuery {
  object: SObjectName;
  /** The selected fields in declared spelling (`Id`, `Account.Name`); empty for COUNT(). */
  fields: string[];
  refs: FieldRef[];
  /** `SELECT COUNT() FROM …`: the answer is totalSize alone, with no records. */
  count: boolean;
  where?: Where;
  orderBy: OrderBy[];
  limit?: number;
  offset?: number;
}

export const malformed = (message: string) => new SfRecordError(400, [{ message, errorCode: 'MALFORMED_QUERY', fields: [] }]);

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(\d{4}-\d{2}-\d{2})|(-?\d+(?:\.\d+)?)|(!=|<>|<=|>=|[=<>(),])|([A-Za-z_][A-Za-z0-9_.]*))/y;

interface Token {
  kind: 'string' | 'datetime' | 'date' | 'number' | 'symbol' | 'word';
  text: string;
}

function tokenize(q: string): Token[] {
  const out: Token[] = [];
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

const invalidField = (raw: string, object: SObjectName) =>
  new SfRecordError(400, [{ message: `No such column '${raw}' on entity '${object}'.`, errorCode: 'INVALID_FIELD', fields: [] }]);

/** A field name or a one-level relationship path, resolved against the org's metadata. */
function resolveField(object: SObjectName, raw: string): { ref: FieldRef; name: string } {
  const parts = raw.split('.');
  // SOQL allows the object's own name as a prefix (`Opportunity.Name`).
  if (parts.length === 2 && parts[0].toLowerCase() === object.toLowerCase()) parts.shift();
  if (parts.length === 1) {
    const name = fieldName(object, parts[0]);
    if (!name) throw invalidField(raw, object);
    return { ref: { field: name }, name };
  }
  if (parts.length !== 2) throw invalidField(raw, object);
  const rel = relationshipField(object, parts[0], parts[1]);
  if (!rel) {
    throw new SfRecordError(400, [
      {
        message: `Didn't understand relationship '${parts[0]}' in field path '${raw}'. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
        errorCode: 'INVALID_FIELD',
        fields: [],
      },
    ]);
  }
  return {
    ref: { field: rel.referenceField, parent: { relationship: rel.relationship, object: rel.parent, field: rel.field } },
    name: `${rel.relationship}.${rel.field}`,
  };
}

export function parseSoql(q: string): SoqlQuery {
  const tokens = tokenize(q);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (w: string) => peek()?.kind === 'word' && peek().text.toUpperCase() === w;
  const isSymbol = (s: string) => peek()?.kind === 'symbol' && peek().text === s;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw malformed(`expecting '${w}', found '${peek()?.text ?? 'end of query'}'`);
    i++;
  };
  const expectSymbol = (s: string) => {
    if (!isSymbol(s)) throw malformed(`expecting '${s}', found '${peek()?.text ?? 'end of query'}'`);
    i++;
  };
  const next = () => {
    const t = tokens[i++];
    if (!t) throw malformed('unexpected end of query');
    return t;
  };

  expectWord('SELECT');
  const rawFields: string[] = [];
  let count = false;
  do {
    const t = next();
    if (t.kind !== 'word') throw malformed(`unexpected token: '${t.text}'`);
    if (t.text.toUpperCase() === 'COUNT' && isSymbol('(')) {
      i++;
      // COUNT(field) is an aggregate (AggregateResult rows), which the sandbox does not implement.
      if (!isSymbol(')')) throw malformed('aggregate functions other than COUNT() are not supported by this org');
      i++;
      count = true;
    } else rawFields.push(t.text);
  } while (isSymbol(',') && ++i);
  if (count && rawFields.length) throw malformed('COUNT() must be the only element in the SELECT list.');
  expectWord('FROM');
  const objectToken = next();
  const objectName = Object.keys(OBJECTS).find((o) => o.toLowerCase() === objectToken.text.toLowerCase());
  if (!objectName || !isObjectName(objectName)) {
    throw new SfRecordError(400, [
      { message: `sObject type '${objectToken.text}' is not supported.`, errorCode: 'INVALID_TYPE', fields: [] },
    ]);
  }
  const object = objectName;
  const selected = new Map<string, FieldRef>();
  for (const raw of rawFields) {
    const { ref, name } = resolveField(object, raw);
    if (!selected.has(name)) selected.set(name, ref);
  }

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

  const condition = (): Where => {
    const t = next();
    if (t.kind !== 'word') throw malformed(`unexpected token: '${t.text}'`);
    const { ref, name } = resolveField(object, t.text);
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
      const o = next();
      if (o.kind !== 'symbol' || !['=', '!=', '<>', '<', '>', '<=', '>='].includes(o.text))
        throw malformed(`unexpected token: '${o.text}'`);
      op = (o.text === '<>' ? '!=' : o.text) as Op;
    }
    if (op === 'IN' || op === 'NOT IN') {
      expectSymbol('(');
      const values: Literal[] = [literal()];
      while (isSymbol(',')) {
        i++;
        values.push(literal());
      }
      expectSymbol(')');
      return { kind: 'condition', ref, field: name, op, value: values };
    }
    return { kind: 'condition', ref, field: name, op, value: literal() };
  };
  // term := '(' expression ')' | NOT term | condition
  const term = (): Where => {
    if (isSymbol('(')) {
      i++;
      const inner = expression();
      expectSymbol(')');
      return inner;
    }
    if (isWord('NOT')) {
      i++;
      return { kind: 'not', item: term() };
    }
    return condition();
  };
  // expression := term (AND term)* | term (OR term)*: SOQL wants parentheses to mix them.
  const expression = (): Where => {
    const first = term();
    const joiner = isWord('AND') ? 'and' : isWord('OR') ? 'or' : undefined;
    if (!joiner) return first;
    const items = [first];
    while (isWord(joiner.toUpperCase())) {
      i++;
      items.push(term());
    }
    if (isWord('AND') || isWord('OR')) throw malformed(`unexpected token: '${peek().text}' (use parentheses to mix AND and OR)`);
    return { kind: joiner, items };
  };

  let where: Where | undefined;
  if (isWord('WHERE')) {
    i++;
    where = expression();
  }

  const orderBy: OrderBy[] = [];
  if (isWord('ORDER')) {
    i++;
    expectWord('BY');
    do {
      const { ref, name } = resolveField(object, next().text);
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
      orderBy.push({ ref, field: name, desc, nullsLast });
    } while (isSymbol(',') && ++i);
  }
  const number = (word: string): number | undefined => {
    if (!isWord(word)) return undefined;
    i++;
    const t = next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw malformed(`${word} must be a non-negative integer`);
    return Number(t.text);
  };
  const limit = number('LIMIT');
  const offset = number('OFFSET');
  if (offset !== undefined && offset > 2000) {
    throw new SfRecordError(400, [{ message: 'Maximum SOQL offset allowed is 2000', errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', fields: [] }]);
  }
  if (i < tokens.length) throw malformed(`unexpected token: '${tokens[i].text}'`);
  return { object, fields: [...selected.keys()], refs: [...selected.values()], count, where, orderBy, limit, offset };
}
