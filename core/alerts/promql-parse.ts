// Parses the subset of PromQL that deploy/prometheus/alerts.yml uses, so the layer can evaluate
// the same rules Prometheus does. Anything outside the subset is refused with a one-line error.

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'or';
export type AggregateOp = 'sum' | 'max' | 'min';
export type FunctionName = 'rate' | 'increase' | 'histogram_quantile' | 'time' | 'label_replace';

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  /** A metric name with matchers; `rangeMs` makes it a range vector selector (`x[5m]`). */
  | { kind: 'selector'; name: string; matchers: LabelMatcher[]; rangeMs?: number }
  | { kind: 'call'; fn: FunctionName; args: Expr[] }
  | { kind: 'aggregate'; op: AggregateOp; by: string[]; expr: Expr }
  | { kind: 'binary'; op: BinaryOp; lhs: Expr; rhs: Expr };

export class PromQLError extends Error {
  constructor(message: string, expr: string) {
    super(`${message} in ${JSON.stringify(expr.length > 120 ? `${expr.slice(0, 117)}...` : expr)}`);
    this.name = 'PromQLError';
  }
}

const FUNCTIONS: Record<FunctionName, number> = { rate: 1, increase: 1, histogram_quantile: 2, time: 0, label_replace: 5 };
const AGGREGATES = new Set<string>(['sum', 'max', 'min']);
/** Binding power per operator, lowest first, as in Prometheus (`^`, `%`, `and`, `unless` are not in the subset). */
const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
};
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** `5m`, `1h30m`, `7d` in milliseconds (Prometheus duration syntax); throws on anything else. */
export function parseDuration(text: string): number {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(n) * DURATION_UNITS[unit!]!;
  return ms;
}

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'dur'; v: string; at: number }
  | { t: 'op'; v: string; at: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new PromQLError(`${what} at offset ${i}`, src);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') fail('comments are not supported');
    const rest = src.slice(i);
    // A duration only follows `[` (range selectors); offsets and subqueries are outside the subset.
    if (tokens.at(-1)?.t === 'op' && tokens.at(-1)!.v === '[') {
      const m = /^[0-9a-z]+/.exec(rest);
      if (!m) fail('expected a duration after "["');
      tokens.push({ t: 'dur', v: m![0], at: i });
      i += m![0].length;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
    if (id) {
      tokens.push({ t: 'id', v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const next = src[j + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
          j += 2;
        } else value += src[j++];
      }
      if (j >= src.length) fail('unterminated string');
      tokens.push({ t: 'str', v: value, at: i });
      i = j + 1;
      continue;
    }
    const op = /^(==|!=|>=|<=|=~|!~|[-+*/<>=(){}[\],])/.exec(rest);
    if (!op) fail(`unexpected character ${JSON.stringify(c)}`);
    tokens.push({ t: 'op', v: op![0], at: i });
    i += op![0].length;
  }
  return tokens;
}

/** Parses one expression of the subset; throws a PromQLError naming what is not supported. */
export function parsePromQL(src: string): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    const at = peek()?.at ?? src.length;
    throw new PromQLError(`${what} at offset ${at}`, src);
  };
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const expectOp = (v: string) => {
    if (!isOp(v)) fail(`expected "${v}"`);
    pos++;
  };
  const labelList = (): string[] => {
    expectOp('(');
    const labels: string[] = [];
    while (!isOp(')')) {
      const tok = peek();
      if (tok?.t !== 'id') fail('expected a label name');
      labels.push(tok!.v as string);
      pos++;
      if (!isOp(')')) expectOp(',');
    }
    pos++;
    return labels;
  };
  const matchers = (): LabelMatcher[] => {
    expectOp('{');
    const list: LabelMatcher[] = [];
    while (!isOp('}')) {
      const label = peek();
      if (label?.t !== 'id') fail('expected a label name');
      pos++;
      const op = peek();
      if (op?.t !== 'op' || !['=', '!=', '=~', '!~'].includes(op.v)) fail('expected a label matcher (=, !=, =~, !~)');
      pos++;
      const value = peek();
      if (value?.t !== 'str') fail('expected a quoted label value');
      pos++;
      list.push({ label: label!.v as string, op: op!.v as MatchOp, value: value!.v as string });
      if (!isOp('}')) expectOp(',');
    }
    pos++;
    return list;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) return fail('unexpected end of expression');
    if (tok.t === 'num') {
      pos++;
      return { kind: 'number', value: tok.v };
    }
    if (tok.t === 'str') {
      pos++;
      return { kind: 'string', value: tok.v };
    }
    if (tok.t === 'op' && tok.v === '(') {
      pos++;
      const inner = expr(0);
      expectOp(')');
      return inner;
    }
    if (tok.t === 'op' && tok.v === '-') {
      pos++;
      const operand = primary();
      if (operand.kind !== 'number') fail('unary minus is supported on numbers only');
      return { kind: 'number', value: -(operand as { value: number }).value };
    }
    if (tok.t !== 'id') return fail(`unexpected "${tok.v}"`);
    pos++;
    if (AGGREGATES.has(tok.v)) {
      let by: string[] = [];
      if (peek()?.t === 'id' && peek()!.v === 'by') {
        pos++;
        by = labelList();
      } else if (peek()?.t === 'id' && peek()!.v === 'without') fail('"without" is not supported');
      expectOp('(');
      const inner = expr(0);
      expectOp(')');
      if (peek()?.t === 'id' && peek()!.v === 'by') {
        pos++;
        by = labelList();
      }
      return { kind: 'aggregate', op: tok.v as AggregateOp, by, expr: inner };
    }
    if (isOp('(')) {
      if (!(tok.v in FUNCTIONS)) fail(`function or aggregation ${tok.v}() is not supported`);
      pos++;
      const args: Expr[] = [];
      while (!isOp(')')) {
        args.push(expr(0));
        if (!isOp(')')) expectOp(',');
      }
      pos++;
      const fn = tok.v as FunctionName;
      if (args.length !== FUNCTIONS[fn]) fail(`${fn}() takes ${FUNCTIONS[fn]} argument(s), got ${args.length}`);
      if ((fn === 'rate' || fn === 'increase') && (args[0]!.kind !== 'selector' || args[0]!.rangeMs === undefined))
        fail(`${fn}() needs a range vector selector such as x[5m]`);
      return { kind: 'call', fn, args };
    }
    if (['bool', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'and', 'unless'].includes(tok.v))
      fail(`"${tok.v}" is not supported`);
    const sel: Expr & { kind: 'selector' } = { kind: 'selector', name: tok.v, matchers: isOp('{') ? matchers() : [] };
    if (isOp('[')) {
      pos++;
      const dur = peek();
      if (dur?.t !== 'dur') fail('expected a duration');
      try {
        sel.rangeMs = parseDuration(dur!.v as string);
      } catch {
        fail(`${JSON.stringify(dur!.v)} is not a duration (subqueries are not supported)`);
      }
      pos++;
      expectOp(']');
    }
    if (peek()?.t === 'id' && peek()!.v === 'offset') fail('"offset" is not supported');
    return sel;
  };
  const binaryOp = (): BinaryOp | undefined => {
    const tok = peek();
    if (tok?.t === 'op' && tok.v in PRECEDENCE) return tok.v as BinaryOp;
    if (tok?.t === 'id' && tok.v === 'or') return 'or';
    if (tok?.t === 'id' && ['and', 'unless', 'on', 'ignoring', 'bool'].includes(tok.v)) fail(`"${tok.v}" is not supported`);
    if (tok?.t === 'op' && tok.v === '%') fail('"%" is not supported');
    return undefined;
  };
  // Precedence climbing; every operator in the subset is left-associative.
  const expr = (minPrecedence: number): Expr => {
    let lhs = primary();
    for (;;) {
      const op = binaryOp();
      if (!op || PRECEDENCE[op] < minPrecedence) return lhs;
      pos++;
      if (peek()?.t === 'id' && ['bool', 'on', 'ignoring'].includes(String(peek()!.v))) fail(`"${peek()!.v}" is not supported`);
      const rhs = expr(PRECEDENCE[op] + 1);
      lhs = { kind: 'binary', op, lhs, rhs };
    }
  };
  const result = expr(0);
  if (pos < tokens.length) fail(`unexpected "${String(peek()!.v)}"`);
  return result;
}

function children(e: Expr): Expr[] {
  if (e.kind === 'call') return e.args;
  if (e.kind === 'aggregate') return [e.expr];
  if (e.kind === 'binary') return [e.lhs, e.rhs];
  return [];
}

/** The range vector selectors of an expression (what the sample ring must keep, and for how long). */
export function rangeSelectors(e: Expr): Array<Expr & { kind: 'selector' }> {
  if (e.kind === 'selector') return e.rangeMs === undefined ? [] : [e];
  return children(e).flatMap(rangeSelectors);
}

/** The metric names an expression reads (recording rules included). */
export function selectedNames(e: Expr): string[] {
  return e.kind === 'selector' ? [e.name] : children(e).flatMap(selectedNames);
}
