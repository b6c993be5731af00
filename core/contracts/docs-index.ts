// The HTML index of every published contract: served by the gateway at /docs and written
// by npm run build:contracts to dist/docs/index.html. Self-contained (inline CSS, no scripts).
import { lastChanged } from './changelog.js';
import type { ApiContract } from './types.js';

export interface ContractLinks {
  docs: string;
  yaml: string;
  json: string;
  /** The changelog, when the contract has one. */
  changelog?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** The gateway's own URLs for a contract. */
export function gatewayLinks(contract: ApiContract): ContractLinks {
  const base = `${contract.layer}/${contract.api}`;
  return {
    docs: `/docs/${base}/v${contract.major}`,
    yaml: `/specs/${base}/v${contract.major}.yaml`,
    json: `/specs/${base}/v${contract.major}.json`,
    ...(contract.changelog ? { changelog: `/specs/${base}/v${contract.major}/changelog` } : {}),
  };
}

function day(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

function lastChangeCell(contract: ApiContract, href: string | undefined): string {
  const date = contract.changelog ? lastChanged(contract.changelog) : undefined;
  if (!href) return date ?? '';
  return `${date ? `${date}<br>` : ''}<a href="${escapeHtml(href)}">changelog</a>`;
}

function lifecycleCell(contract: ApiContract): string {
  const label = escapeHtml(contract.lifecycle);
  if (contract.lifecycle === 'active') return `<span class="active">${label}</span>`;
  const parts = [`<span class="${label}">${label}</span>`];
  if (contract.sunset) parts.push(`sunset ${day(contract.sunset)}`);
  if (contract.successor) parts.push(`use <code>${escapeHtml(contract.successor)}</code>`);
  return parts.join('<br>');
}

export function renderDocsIndex(
  catalogue: readonly ApiContract[],
  links: (contract: ApiContract) => ContractLinks = gatewayLinks,
  title = 'API catalogue',
): string {
  const rows = catalogue
    .map((contract) => {
      const l = links(contract);
      return `<tr>
  <td><a href="${escapeHtml(l.docs)}">${escapeHtml(contract.title)}</a><br><code>${escapeHtml(contract.basePath)}</code></td>
  <td>${escapeHtml(contract.layer)}</td>
  <td>v${contract.major} <small>(${escapeHtml(contract.version)})</small></td>
  <td>${lifecycleCell(contract)}</td>
  <td>${escapeHtml(contract.owner)}</td>
  <td>${escapeHtml(contract.audience)}</td>
  <td><a href="${escapeHtml(l.yaml)}">yaml</a> · <a href="${escapeHtml(l.json)}">json</a></td>
  <td>${lastChangeCell(contract, l.changelog)}</td>
</tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d2330; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #dde1e8; vertical-align: top; }
  th { background: #f3f5f8; }
  code { font-size: 90%; }
  .active { color: #176b2c; } .deprecated { color: #8a5a00; font-weight: 600; } .retired { color: #a11; font-weight: 600; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Every API version the layer serves, with its lifecycle. Deprecated versions answer with
<code>Deprecation</code> and <code>Sunset</code> headers until their sunset; retired ones answer 410.</p>
<table>
<thead><tr><th>API</th><th>Layer</th><th>Version</th><th>Lifecycle</th><th>Owner</th><th>Audience</th><th>Spec</th><th>Last change</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
