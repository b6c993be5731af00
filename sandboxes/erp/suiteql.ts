// A SuiteQL subset: SELECT [TOP n] cols|* FROM table [WHERE cond {AND|OR cond}]
// [ORDER BY col [ASC|DESC], …]. Conditions: col (=|!=|<>|<|<=|>|>=) literal, col LIKE
// 'pattern' (%, _; case-insensitive), col IN (literals), col IS [NOT] NULL. AND binds
// tighter than OR; no parentheses, joins or other functions. Values compare as numbers when
// both sides are numeric, else as strings. Timestamps as Oracle has them: a timestamp column
// compares only with TO_TIMESTAMP('…', 'YYYY-MM-DD HH24:MI:SS') (a bare string is ORA-01861),
// and reads in that format through TO_CHAR(col, 'YYYY-MM-DD HH24:MI:SS') [AS alias]; the
// sandbox's clock, and so both, is UTC. Errors are thrown as SuiteQlError.

export class SuiteQlError extends Error {}

type Literal = string | number;
type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN' | 'IS NULL' | 'IS NOT NULL';

interface Condition {
  column: string;
  op: Op;
  values: Literal[];
  /** The value came from TO_TIMESTAMP (an ISO instant here). */
  timestamp?: boolean;
}

/** The one timestamp format this subset converts, both ways. */
const TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS';
/** Columns that hold a timestamp: compared only with TO_TIMESTAMP, as in Oracle. */
const TIMESTAMP_COLUMNS = new Set(['lastmodifieddate', 'datecreated', 'createddate', 'lastmodified']);

export interface SuiteQlQuery {
  /** Output names: columns, or the aliases of TO_CHAR items. */
  columns: string[] | '*';
  /** TO_CHAR items by output name. */
  computed?: Record<string, { column: string }>;
  table: string;
  top?: number;
  /** OR of AND-groups. */
  where: Condition[][];
  orderBy: Array<{ column: string; descending: boolean }>;
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.]*)|(<=|>=|<>|!=|[=<>(),*]))/y;

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'symbol'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    if (/^\s*$/.test(text.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (!match) throw new SuiteQlError(`Unexpected input at position ${position}: "${text.slice(position, position + 20)}"`);
    position = TOKEN.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', value: match[2].replace(/''/g, "'") });
    else if (match[3] !== undefined) tokens.push({ kind: 'word', value: match[3] });
    else tokens.push({ kind: 'symbol', value: match[4]! });
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'word' && t.value.toUpperCase() === word;
  }
  peekSymbol(symbol: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'symbol' && t.value === symbol;
  }
  word(expected?: string): string {
    const t = this.tokens[this.i];
    if (t?.kind !== 'word' || (expected && t.value.toUpperCase() !== expected)) {
      throw new SuiteQlError(`Expected ${expected ?? 'a name'} but found ${t ? JSON.stringify(t.value) : 'the end'}`);
    }
    this.i++;
    return t.value;
  }
  symbol(expected: string): void {
    if (!this.peekSymbol(expected)) throw new SuiteQlError(`Expected "${expected}"`);
    this.i++;
  }
  literal(): Literal {
    const t = this.tokens[this.i];
    if (t?.kind === 'number' || t?.kind === 'string') {
      this.i++;
      return t.value;
    }
    throw new SuiteQlError(`Expected a literal but found ${t ? JSON.stringify(t.value) : 'the end'}`);
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  condition(): Condition {
    const column = this.word().toLowerCase();
    if (this.peekWord('IS')) {
      this.word('IS');
      const negated = this.peekWord('NOT');
      if (negated) this.word('NOT');
      this.word('NULL');
      return { column, op: negated ? 'IS NOT NULL' : 'IS NULL', values: [] };
    }
    if (this.peekWord('LIKE')) {
      this.word('LIKE');
      return { column, op: 'LIKE', values: [this.literal()] };
    }
    if (this.peekWord('IN')) {
      this.word('IN');
      this.symbol('(');
      const values = [this.literal()];
      while (this.peekSymbol(',')) {
        this.symbol(',');
        values.push(this.literal());
      }
      this.symbol(')');
      if (values.length > 1000) throw new SuiteQlError('An IN list takes at most 1000 values');
      return { column, op: 'IN', values };
    }
    const t = this.tokens[this.i];
    if (t?.kind !== 'symbol' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(t.value)) {
      throw new SuiteQlError(`Expected a comparison after ${column}`);
    }
    this.i++;
    const op = (t.value === '<>' ? '!=' : t.value) as Op;
    if (this.peekWord('TO_TIMESTAMP')) return { column, op, values: [this.toTimestamp()], timestamp: true };
    return { column, op, values: [this.literal()] };
  }
  /** TO_TIMESTAMP('2026-12-03 07:30:00', 'YYYY-MM-DD HH24:MI:SS') as an ISO instant. */
  toTimestamp(): string {
    this.word('TO_TIMESTAMP');
    this.symbol('(');
    const text = this.literal();
    this.symbol(',');
    this.format();
    this.symbol(')');
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(String(text));
    if (!match || Number.isNaN(Date.parse(`${match[1]}T${match[2]}Z`)))
      throw new SuiteQlError('ORA-01861: literal does not match format string');
    return `${match[1]}T${match[2]}Z`;
  }
  format(): void {
    const format = this.literal();
    if (format !== TIMESTAMP_FORMAT) throw new SuiteQlError(`This subset converts timestamps only in the format '${TIMESTAMP_FORMAT}'`);
  }
  /** A select item: a column, or TO_CHAR(column, format) [AS] alias. */
  selectItem(computed: Record<string, { column: string }>): string {
    if (!this.peekWord('TO_CHAR')) return this.word().toLowerCase();
    this.word('TO_CHAR');
    this.symbol('(');
    const column = this.word().toLowerCase();
    this.symbol(',');
    this.format();
    this.symbol(')');
    let name = column;
    if (this.peekWord('AS')) this.word('AS');
    if (!this.peekWord('FROM') && !this.peekSymbol(',')) name = this.word().toLowerCase();
    computed[name] = { column };
    return name;
  }
}

export function parseSuiteQl(text: string): SuiteQlQuery {
  if (text.length > 100_000) throw new SuiteQlError('The query is too long');
  const p = new Parser(tokenize(text));
  p.word('SELECT');
  let top: number | undefined;
  if (p.peekWord('TOP')) {
    p.word('TOP');
    const n = p.literal();
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new SuiteQlError('TOP takes a positive integer');
    top = n;
  }
  let columns: string[] | '*';
  const computed: Record<string, { column: string }> = {};
  if (p.peekSymbol('*')) {
    p.symbol('*');
    columns = '*';
  } else {
    columns = [p.selectItem(computed)];
    while (p.peekSymbol(',')) {
      p.symbol(',');
      columns.push(p.selectItem(computed));
    }
  }
  p.word('FROM');
  const table = p.word().toLowerCase();
  const where: Condition[][] = [];
  if (p.peekWord('WHERE')) {
    p.word('WHERE');
    let group = [p.condition()];
    for (;;) {
      if (p.peekWord('AND')) {
        p.word('AND');
        group.push(p.condition());
      } else if (p.peekWord('OR')) {
        p.word('OR');
        where.push(group);
        group = [p.condition()];
      } else break;
    }
    where.push(group);
  }
  const orderBy: SuiteQlQuery['orderBy'] = [];
  if (p.peekWord('ORDER')) {
    p.word('ORDER');
    p.word('BY');
    do {
      if (orderBy.length) p.symbol(',');
      const column = p.word().toLowerCase();
      let descending = false;
      if (p.peekWord('ASC')) p.word('ASC');
      else if (p.peekWord('DESC')) {
        p.word('DESC');
        descending = true;
      }
      orderBy.push({ column, descending });
    } while (p.peekSymbol(','));
  }
  if (!p.done()) throw new SuiteQlError('Unexpected input after the query (this subset has no joins, GROUP BY or functions)');
  return { columns, ...(Object.keys(computed).length ? { computed } : {}), table, top, where, orderBy };
}

export type Row = Record<string, string | undefined>;

function compare(a: string, b: Literal): number {
  const x = Number(a);
  const y = typeof b === 'number' ? b : Number(b);
  if (a.trim() !== '' && !Number.isNaN(x) && !Number.isNaN(y) && String(b).trim() !== '') return x - y;
  const s = String(b);
  return a < s ? -1 : a > s ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function matches(row: Row, c: Condition): boolean {
  const value = row[c.column];
  switch (c.op) {
    case 'IS NULL':
      return value === undefined || value === '';
    case 'IS NOT NULL':
      return value !== undefined && value !== '';
    case 'LIKE':
      return value !== undefined && likeToRegExp(String(c.values[0])).test(value);
    case 'IN':
      return value !== undefined && c.values.some((v) => compare(value, v) === 0);
    default: {
      if (value === undefined) return false;
      const d = compare(value, c.values[0]!);
      return c.op === '='
        ? d === 0
        : c.op === '!='
          ? d !== 0
          : c.op === '<'
            ? d < 0
            : c.op === '<='
              ? d <= 0
              : c.op === '>'
                ? d > 0
                : d >= 0;
    }
  }
}

/** Runs a parsed query over rows; `knownColumns` guards against typos, as SuiteQL does. */
export function runSuiteQl(query: SuiteQlQuery, rows: Row[], knownColumns: ReadonlySet<string>): Row[] {
  const computed = query.computed ?? {};
  const referenced = [
    ...(query.columns === '*' ? [] : query.columns.map((name) => computed[name]?.column ?? name)),
    ...query.where.flat().map((c) => c.column),
    ...query.orderBy.map((o) => o.column),
  ];
  for (const column of referenced) {
    if (!knownColumns.has(column))
      throw new SuiteQlError(
        `Field '${column}' for record '${query.table}' was not found. Reason: NOT_EXPOSED - Not available for channel SEARCH`,
      );
  }
  for (const c of query.where.flat()) {
    const compares = !['LIKE', 'IN', 'IS NULL', 'IS NOT NULL'].includes(c.op);
    if (TIMESTAMP_COLUMNS.has(c.column) && (!compares || !c.timestamp)) {
      throw new SuiteQlError(`ORA-01861: literal does not match format string (compare ${c.column} with TO_TIMESTAMP)`);
    }
    if (c.timestamp && !TIMESTAMP_COLUMNS.has(c.column))
      throw new SuiteQlError(`ORA-00932: inconsistent datatypes (${c.column} is not a timestamp)`);
  }
  let result = query.where.length ? rows.filter((row) => query.where.some((group) => group.every((c) => matches(row, c)))) : rows;
  if (query.orderBy.length) {
    result = [...result].sort((a, b) => {
      for (const { column, descending } of query.orderBy) {
        const x = a[column];
        const y = b[column];
        const d = x === undefined ? (y === undefined ? 0 : 1) : y === undefined ? -1 : compare(x, y);
        if (d !== 0) return descending ? -d : d;
      }
      return 0;
    });
  }
  if (query.top !== undefined) result = result.slice(0, query.top);
  const columns = query.columns === '*' ? [...knownColumns] : query.columns;
  return result.map((row) => {
    const out: Row = {};
    for (const column of columns) {
      const source = computed[column];
      // TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS') of the stored ISO instant.
      const value = source ? row[source.column]?.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : row[column];
      if (value !== undefined) out[column] = value;
    }
    return out;
  });
}
