// Runs and dead letters, as the operations view always showed them: failed runs (retry, cancel),
// open dead letters (replay, discard), how far behind each change feed is, and who still calls
// deprecated versions.
import { deadLetterActions, runActions } from './actions.js';
import { client, unwrap } from './api.js';
import { age, h, pageHeading, table, when } from './dom.js';

const section = (id: string, title: string, ...content: Array<Node | null>) =>
  h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content.filter((c): c is Node => c !== null));

export async function runsPage(reload: () => unknown): Promise<Node[]> {
  const [runs, letters, feeds, deprecated] = await Promise.all([
    unwrap(client.GET('/runs', { params: { query: { state: 'failed', limit: 50 } } })),
    unwrap(client.GET('/dead-letters', { params: { query: { status: 'open', limit: 50 } } })),
    unwrap(client.GET('/change-feeds')),
    unwrap(client.GET('/deprecated-usage', { params: { query: { days: 30 } } })),
  ]);
  const failedRuns = runs.items.map((r) => {
    const what = `${r.journey} ${r.runKey}`;
    const buttons = [runActions.retry(r.id, what, reload), runActions.cancel(r.id, what, reload)];
    return h(
      'tr',
      { 'data-run-id': r.id },
      h('td', {}, r.journey),
      h('td', { class: 'mono' }, r.runKey),
      h('td', {}, r.currentStep ?? '—'),
      h('td', {}, when(r.updatedAt)),
      h('td', { class: 'actions' }, ...buttons),
    );
  });
  const openLetters = letters.items.map((d) => {
    const what = `${d.journey} ${d.step}`;
    const buttons = [deadLetterActions.replay(d.id, what, reload), deadLetterActions.discard(d.id, what, reload)];
    return h(
      'tr',
      { 'data-dead-letter-id': String(d.id) },
      h('td', { class: 'num' }, String(d.id)),
      h('td', {}, d.journey),
      h('td', {}, d.step),
      h('td', { class: 'error-text' }, d.errors.at(-1)?.message ?? ''),
      h('td', {}, when(d.createdAt)),
      h('td', { class: 'actions' }, ...buttons),
    );
  });
  const feedRows = feeds.items.map((f) =>
    h(
      'tr',
      { 'data-stream': f.stream },
      h('td', { class: 'mono' }, f.stream + (f.connected === undefined ? '' : f.connected ? ' (connected)' : ' (not connected)')),
      h('td', {}, f.platform),
      h('td', { class: 'mono' }, f.position),
      h('td', {}, when(f.lastChangeAt)),
      h('td', {}, when(f.lastCompletePassAt)),
      h('td', { class: `num${(f.lagSeconds ?? 0) > 300 ? ' error-text' : ''}` }, age(f.lagSeconds)),
      h('td', { class: 'num' }, String(f.changesRecorded)),
    ),
  );
  const callers = deprecated.entries.map((u) =>
    h(
      'tr',
      { 'data-consumer': u.consumer },
      h('td', { class: 'mono' }, u.consumer),
      h('td', {}, `${u.contract} (${u.version})`),
      h('td', {}, u.operation),
      h('td', { class: 'num' }, String(u.calls)),
      h('td', {}, when(u.lastCalledAt)),
    ),
  );
  return [
    ...pageHeading('Runs and dead letters', 'What failed in the journeys and what is waiting to be replayed.'),
    section(
      'dl-title',
      'Open dead letters',
      h(
        'p',
        { class: 'note' },
        'A step that failed after its last retry, kept with its payload. Replay once the cause is fixed, or discard with a reason.',
      ),
      table(
        'Open dead letters',
        ['Id', 'Journey', 'Step', 'Last error', 'Since', 'Actions'],
        openLetters,
        'No open dead letters.',
        'dead-letters',
      ),
    ),
    section(
      'runs-title',
      'Failed runs',
      table('Failed runs', ['Journey', 'Run key', 'Step reached', 'Updated', 'Actions'], failedRuns, 'No failed runs.', 'failed-runs'),
    ),
    section(
      'feeds-title',
      'Change feeds',
      h(
        'p',
        { class: 'note' },
        'Where each platform’s changes are read from. Streams and webhooks bring a change within seconds; the polls read what changed since their watermark on a schedule, so a change made while the layer was down still starts its journey once. Lag: since the last complete pass (0 for a stream connected now).',
      ),
      table(
        'Change feeds',
        ['Feed', 'Platform', 'Position', 'Last change', 'Last complete pass', 'Lag', 'Recorded'],
        feedRows,
        'No change feed has run yet.',
        'change-feeds',
      ),
    ),
    section(
      'deprecated-title',
      'Consumers still calling deprecated versions (30 days)',
      h('p', { class: 'note' }, 'Who has to move to the successor before the sunset.'),
      table(
        'Consumers still calling deprecated versions',
        ['Consumer', 'API version', 'Operation', 'Calls', 'Last call'],
        callers,
        'No calls to deprecated versions.',
        'deprecated-callers',
      ),
    ),
  ];
}
