// What an exception shows wherever it appears: its records with links into each platform, the
// run and step that stopped, and what would fix it.
import type { Schemas } from './api.js';
import { h } from './dom.js';

type RecordRef = Schemas['RecordRef'];

const PLATFORM: Record<RecordRef['platform'], string> = { crm: 'CRM', scheduling: 'Scheduling', time: 'Time', erp: 'ERP', layer: 'Layer' };

export function recordLink(record: RecordRef): HTMLElement {
  const text = `${PLATFORM[record.platform]} ${record.entity.replace(/-/g, ' ')} ${record.label ?? record.id}`;
  if (!record.url) return h('span', { class: 'record' }, text);
  return h(
    'a',
    { class: 'record', href: record.url, target: '_blank', rel: 'noopener noreferrer', 'data-platform': record.platform },
    text,
    h('span', { class: 'visually-hidden' }, ' (opens the platform in a new tab)'),
  );
}

export const recordList = (records: RecordRef[]) => h('ul', { class: 'records' }, ...records.map((r) => h('li', {}, recordLink(r))));

export function stoppedRun(run: Schemas['StoppedRun'] | null): HTMLElement | string {
  if (!run) return '—';
  return h(
    'span',
    { class: 'run' },
    h('span', { class: 'mono' }, run.workflow),
    ` stopped at ${run.step ?? 'its start'} (${run.state})`,
    run.deadLetterId ? `, dead letter ${run.deadLetterId}` : '',
  );
}

export const STATUS_TEXT: Record<Schemas['ExceptionStatus'], string> = {
  open: 'open',
  repairing: 'repair running',
  repaired: 'repaired',
  dismissed: 'dismissed',
  resolved: 'resolved by itself',
};
