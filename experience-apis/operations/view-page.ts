// The operations view: one self-contained HTML page (inline CSS and script, nothing fetched
// from elsewhere) showing the summary, failed runs and open dead letters with their actions,
// and how far behind each change feed is.
// Its Content-Security-Policy allows exactly the inline script and style by hash, and calls
// to this origin only.
import { createHash } from 'node:crypto';
import { VIEW_SCRIPT } from './view-script.js';

const STYLE = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#dfe3ea;--warn:#b42318;--ok:#067647;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#14213d;color:#fff;padding:.9rem 1.5rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header h1{font-size:1.15rem;margin:0 1rem 0 0}header form{display:flex;gap:.5rem;flex:1;min-width:18rem}
header input{flex:1;padding:.45rem .6rem;border-radius:4px;border:1px solid #8892a6;font:inherit}
button{font:inherit;padding:.35rem .8rem;border-radius:4px;border:1px solid #8892a6;background:#fff;color:var(--fg);cursor:pointer;margin-right:.35rem}
button:hover{background:#eef1f6}header button{background:#fca311;border-color:#fca311;color:#14213d;font-weight:600}
main{padding:1rem 1.5rem 3rem;max-width:80rem;margin:0 auto}section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem 1.2rem;margin:1rem 0}
h2{font-size:1.05rem;margin:0 0 .7rem}.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.7rem}
.figure{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;background:#fbfcfd}.figure strong{display:block;font-size:1.6rem}
.figure span{color:var(--muted);font-size:.85rem}.figure.warn{border-color:#f3b8b3;background:#fef3f2}.figure.warn strong{color:var(--warn)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.mono{font-family:ui-monospace,monospace;font-size:.85rem}td.error-text{color:var(--warn);max-width:28rem}td.empty{color:var(--muted);font-style:italic}td.actions{white-space:nowrap}
.state.failed,.state.compensated{color:var(--warn);font-weight:600}.state.completed{color:var(--ok)}
#status{min-height:1.4rem;margin:.5rem 0;color:var(--muted)}#status.error{color:var(--warn);font-weight:600}#status.ok{color:var(--ok)}
.note{color:var(--muted);font-size:.85rem;margin:-.3rem 0 .6rem}.toolbar{display:flex;justify-content:space-between;align-items:center}#generated{color:var(--muted);font-size:.85rem}
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** For the Content-Security-Policy header the page must be served with. */
export const VIEW_CSP = [
  "default-src 'none'",
  `script-src ${hash(VIEW_SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const VIEW_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Operations · connectivity layer</title>
<style>${STYLE}</style>
</head><body>
<header>
  <h1>Operations</h1>
  <form id="token-form" autocomplete="off">
    <label for="token" hidden>Bearer token (ops:read, and ops:write for actions)</label>
    <input id="token" type="password" placeholder="Paste a bearer token with ops:read (and ops:write to act)" required>
    <button type="submit" id="load">Load</button>
  </form>
</header>
<main>
  <div id="status" role="status" aria-live="polite">Paste a token to load the figures. It stays in this page's memory only.</div>
  <div id="main" hidden>
    <section aria-labelledby="summary-title">
      <div class="toolbar"><h2 id="summary-title">Summary</h2><span><span id="generated"></span> <button type="button" id="refresh">Refresh</button></span></div>
      <div class="figures" id="figures"></div>
    </section>
    <section aria-labelledby="dl-title">
      <h2 id="dl-title">Open dead letters</h2>
      <table><thead><tr><th>Id</th><th>Journey</th><th>Step</th><th>Last error</th><th>Since</th><th>Actions</th></tr></thead><tbody id="dead-letters"></tbody></table>
    </section>
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Failed runs</h2>
      <table><thead><tr><th>Journey</th><th>Run key</th><th>Step reached</th><th>Updated</th><th>Actions</th></tr></thead><tbody id="failed-runs"></tbody></table>
    </section>
    <section aria-labelledby="journeys-title">
      <h2 id="journeys-title">Runs by journey and state</h2>
      <p class="note">Unfinished and failed runs in full; completed, compensated and cancelled runs started in the last 24 hours.</p>
      <table><thead><tr><th>Journey</th><th>Workflow</th><th>State</th><th>Runs</th></tr></thead><tbody id="journeys"></tbody></table>
    </section>
    <section aria-labelledby="feeds-title">
      <h2 id="feeds-title">Change feeds</h2>
      <p class="note">Where each platform's changes are read from. Streams and webhooks bring a change within seconds; the polls read what changed since their watermark on a schedule, so a change made while the layer was down, or whose event was lost, still starts its journey once. Lag is how far behind a feed may be: since its last complete pass (0 for a stream connected now).</p>
      <table><thead><tr><th>Feed</th><th>Platform</th><th>Position</th><th>Last change</th><th>Last complete pass</th><th>Lag</th><th>Recorded</th></tr></thead><tbody id="change-feeds"></tbody></table>
    </section>
    <section aria-labelledby="deprecated-title">
      <h2 id="deprecated-title">Consumers still calling deprecated versions (30 days)</h2>
      <p class="note">Who has to move to the successor before the sunset, from the usage the gateway records per consumer.</p>
      <table><thead><tr><th>Consumer</th><th>API version</th><th>Operation</th><th>Calls</th><th>Last call</th></tr></thead><tbody id="deprecated-callers"></tbody></table>
    </section>
  </div>
</main>
<script>${VIEW_SCRIPT}</script>
</body></html>`;
