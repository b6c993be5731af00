// Building the page from API data without ever parsing it as HTML: every text goes in through
// textContent, every attribute through setAttribute. Also the shared formats (instants, ages, money).
type Child = Node | string | number | null | undefined | false;
type Handlers = Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => unknown }>;
type Attributes = { on?: Handlers; [name: string]: string | number | boolean | null | undefined | Handlers };

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'on' || typeof value === 'object' || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, handler] of Object.entries(attributes.on ?? {})) element.addEventListener(event, handler as EventListener);
  append(element, children);
  return element;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** A table with a caption and column headers; an empty body says so in one spanning cell. */
export function table(caption: string, headers: string[], rows: HTMLTableRowElement[], empty: string, id?: string) {
  const body = h('tbody', id ? { id } : {});
  if (rows.length === 0) body.append(h('tr', {}, h('td', { class: 'empty', colspan: headers.length }, empty)));
  else body.append(...rows);
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))), body),
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export interface Money {
  amountMinor: number;
  currency: string;
}

/** Money from integer minor units, at the currency's own number of decimals. */
export function money(amount: Money | null | undefined): string {
  if (!amount) return '—';
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: amount.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount.amountMinor / 10 ** digits);
}

export const moneyList = (amounts: Money[]) => (amounts.length ? amounts.map(money).join(' + ') : 'none');

/** The element that takes focus when a page opens (its heading), so keyboard users start there. */
export function pageHeading(text: string, subtitle?: string) {
  const heading = h('h1', { id: 'page-title', tabindex: -1 }, text);
  return subtitle ? [heading, h('p', { class: 'lede' }, subtitle)] : [heading];
}
