// The operations view's script, as text inlined into the page (no external files, no CDN).
// It keeps the pasted token in memory only, calls the operations API on the same origin, and
// builds every cell with textContent so that nothing from the API is parsed as HTML.
export const VIEW_SCRIPT = String.raw`
(() => {
  const BASE = '/experience/operations/v1';
  let token = '';
  const $ = (id) => document.getElementById(id);
  const status = (text, kind) => { const s = $('status'); s.textContent = text; s.className = kind || ''; };
  const key = () => '"' + (crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')) + '"';

  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
    if (method !== 'GET') headers['Idempotency-Key'] = key();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    if (!res.ok) throw new Error((data && (data.detail || data.title)) || ('HTTP ' + res.status));
    return data;
  }

  function cell(row, text, cls) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); if (cls) td.className = cls; row.appendChild(td); return td; }
  function button(td, label, onClick, testId) { const b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.dataset.testid = testId; b.addEventListener('click', onClick); td.appendChild(b); return b; }
  function fill(tbodyId, rows, emptyText, columns) {
    const tbody = $(tbodyId); tbody.replaceChildren();
    if (rows.length === 0) { const tr = document.createElement('tr'); const td = cell(tr, emptyText, 'empty'); td.colSpan = columns; tbody.appendChild(tr); return; }
    for (const r of rows) tbody.appendChild(r);
  }
  const when = (iso) => iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
  const age = (s) => s == null ? '—' : s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
  const lastError = (errors) => errors && errors.length ? errors[errors.length - 1].message : '';

  function figure(label, value, warn) {
    const div = document.createElement('div'); div.className = 'figure' + (warn ? ' warn' : '');
    const v = document.createElement('strong'); v.textContent = String(value);
    const l = document.createElement('span'); l.textContent = label;
    div.append(v, l); return div;
  }

  async function act(label, fn) {
    status(label + '…');
    try { await fn(); status(label + ': done.', 'ok'); await load(); }
    catch (err) { status(label + ' failed: ' + err.message, 'error'); }
  }

  async function load() {
    const [summary, runs, letters, deprecated] = await Promise.all([
      api('GET', '/summary'),
      api('GET', '/runs?state=failed&limit=50'),
      api('GET', '/dead-letters?status=open&limit=50'),
      api('GET', '/deprecated-usage?days=30'),
    ]);
    const o = summary.outbox;
    const figures = [
      figure('open dead letters', summary.openDeadLetters, summary.openDeadLetters > 0),
      figure('failed provisioning', summary.failedProvisioning, summary.failedProvisioning > 0),
      figure('events not dispatched', o.undispatchedEvents, false),
      figure('oldest undispatched', age(o.oldestUndispatchedAgeSeconds), (o.oldestUndispatchedAgeSeconds || 0) > 300),
      figure('deliveries pending', o.pendingDeliveries, false),
      figure('deliveries dead', o.deadDeliveries, o.deadDeliveries > 0),
      figure('webhooks rejected (24 h)', summary.rejectedWebhooksLastDay, summary.rejectedWebhooksLastDay > 0),
    ];
    for (const p of summary.platforms || []) figures.push(figure(p.platform + ': last webhook', age(p.lastWebhookAgeSeconds) + ' ago', p.lastWebhookAgeSeconds > 3600));
    if (summary.approvedUnbilledMinutes != null) figures.push(figure('approved hours not billed', (summary.approvedUnbilledMinutes / 60).toFixed(1), false));
    $('figures').replaceChildren(...figures);
    $('generated').textContent = 'as of ' + when(summary.generatedAt);

    fill('journeys', summary.runs.map((r) => { const tr = document.createElement('tr'); cell(tr, r.journey); cell(tr, r.workflow); cell(tr, r.outcome ? r.outcome : r.state, 'state ' + (r.outcome || r.state)); cell(tr, r.count, 'num'); return tr; }), 'No runs.', 4);

    fill('failed-runs', runs.items.map((r) => {
      const tr = document.createElement('tr'); tr.dataset.runId = r.id;
      cell(tr, r.journey); cell(tr, r.runKey, 'mono'); cell(tr, r.currentStep); cell(tr, when(r.updatedAt));
      const actions = cell(tr, '', 'actions');
      button(actions, 'Retry', () => act('Retry run ' + r.id, () => api('POST', '/runs/' + r.id + '/retry')), 'retry-' + r.id);
      button(actions, 'Cancel', () => { if (confirm('Cancel run ' + r.id + '? Completed steps will be compensated.')) act('Cancel run ' + r.id, () => api('POST', '/runs/' + r.id + '/cancel')); }, 'cancel-' + r.id);
      return tr;
    }), 'No failed runs.', 5);

    fill('dead-letters', letters.items.map((d) => {
      const tr = document.createElement('tr'); tr.dataset.deadLetterId = String(d.id);
      cell(tr, d.id, 'num'); cell(tr, d.journey); cell(tr, d.step); cell(tr, lastError(d.errors), 'error-text'); cell(tr, when(d.createdAt));
      const actions = cell(tr, '', 'actions');
      button(actions, 'Replay', () => act('Replay dead letter ' + d.id, () => api('POST', '/dead-letters/' + d.id + '/replay')), 'replay-' + d.id);
      button(actions, 'Discard', () => { const reason = prompt('Why discard dead letter ' + d.id + '? (kept in the audit trail)'); if (reason && reason.trim()) act('Discard dead letter ' + d.id, () => api('POST', '/dead-letters/' + d.id + '/discard', { reason: reason.trim() })); }, 'discard-' + d.id);
      return tr;
    }), 'No open dead letters.', 6);

    fill('deprecated-callers', deprecated.entries.map((u) => {
      const tr = document.createElement('tr'); tr.dataset.consumer = u.consumer;
      cell(tr, u.consumer, 'mono'); cell(tr, u.contract + ' (' + u.version + ')'); cell(tr, u.operation); cell(tr, u.calls, 'num'); cell(tr, when(u.lastCalledAt));
      return tr;
    }), 'No calls to deprecated versions.', 5);
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token').value.trim();
    $('token').value = '';
    status('Loading…');
    load().then(() => { status('Loaded.', 'ok'); $('main').hidden = false; }, (err) => status('Could not load: ' + err.message, 'error'));
  });
  $('refresh').addEventListener('click', () => load().then(() => status('Refreshed.', 'ok'), (err) => status('Could not load: ' + err.message, 'error')));
})();
`;
