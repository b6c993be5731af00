// The governance board's review of a contract change, as data and as Markdown and HTML: per
// changed contract, the breaking / non-breaking / deprecated changes per operation in plain
// words, the Spectral findings, the version bump, and which consumers called each affected
// operation in the last 30 days (from the usage the gateway records).
import { escapeHtml } from '../../core/contracts/docs-index.js';
import type { UsageRow } from '../../core/usage/index.js';
import type { Finding } from './spectral.js';
import { describeChange, locateOperation, type ContractAssessment } from './version-rules.js';

export interface OperationReview {
  /** "POST /runs (startRun)" or a path for changes outside an operation. */
  label: string;
  operationId?: string;
  breaking: string[];
  nonBreaking: string[];
  deprecated: string[];
  documentation: string[];
  /** Consumers that called the operation in the window, most calls first. */
  consumers: Array<{ consumer: string; calls: number; lastCalledAt: string }>;
}

export interface ContractReview {
  file: string;
  /** {layer}/{api}/v{major} */
  contract: string;
  state: ContractAssessment['state'];
  releasedVersion?: string;
  version?: string;
  bump: string;
  problems: string[];
  operations: OperationReview[];
  findings: Finding[];
}

export interface ReviewReport {
  base: string;
  since: string;
  contracts: ContractReview[];
}

export function contractKey(file: string): string {
  const m = /^openapi\/([a-z]+)\/([a-z0-9-]+)\.v([0-9]+)\.yaml$/.exec(file);
  return m ? `${m[1]}/${m[2]}/v${m[3]}` : file;
}

const plain = (line: string) => line.replace(/^[^:]+: /, '');

export function reviewContract(assessment: ContractAssessment, usage: UsageRow[], findings: Finding[]): ContractReview {
  const documents = [assessment.bundled, assessment.releasedDocument];
  const key = contractKey(assessment.file);
  const byLabel = new Map<string, OperationReview>();
  for (const change of assessment.changes) {
    const where = locateOperation(change, documents);
    const label = describeChange(change, documents).split(': ')[0];
    let review = byLabel.get(label);
    if (!review) {
      const consumers = where.operationId
        ? usage
            .filter((u) => u.contract === key && u.operation === where.operationId)
            .map((u) => ({ consumer: u.consumer, calls: u.calls, lastCalledAt: u.lastCalledAt }))
            .sort((a, b) => b.calls - a.calls || a.consumer.localeCompare(b.consumer))
        : [];
      review = { label, operationId: where.operationId, breaking: [], nonBreaking: [], deprecated: [], documentation: [], consumers };
      byLabel.set(label, review);
    }
    const words =
      plain(describeChange(change, documents)) + (change.acceptedBecause ? ` (accepted by the board: ${change.acceptedBecause})` : '');
    if (change.type === 'breaking') review.breaking.push(words);
    else if (change.type === 'non-breaking') review.nonBreaking.push(words);
    else if (change.type === 'deprecated') review.deprecated.push(words);
    else review.documentation.push(words);
  }
  const bump =
    assessment.state === 'new'
      ? `new contract at ${assessment.version}`
      : assessment.state === 'removed'
        ? 'removed'
        : `${assessment.required}: ${assessment.released?.version} -> ${assessment.version}${assessment.proposed && assessment.proposed !== assessment.version ? ` (needs at least ${assessment.proposed})` : ''}`;
  return {
    file: assessment.file,
    contract: key,
    state: assessment.state,
    releasedVersion: assessment.released?.version,
    version: assessment.version,
    bump,
    problems: assessment.problems,
    operations: [...byLabel.values()],
    findings,
  };
}

const list = (title: string, items: string[]) => (items.length ? `- **${title}:**\n${items.map((i) => `  - ${i}`).join('\n')}\n` : '');

export function renderMarkdown(report: ReviewReport): string {
  const out = [`# Contract review against ${report.base}\n`, `Consumer impact counts calls since ${report.since} (UTC).\n`];
  if (report.contracts.length === 0) out.push('No contract changed.\n');
  for (const c of report.contracts) {
    out.push(`## ${c.contract} (${c.file})\n`);
    out.push(`- **State:** ${c.state}\n- **Version bump:** ${c.bump}\n`);
    if (c.problems.length) out.push(`- **Blocks the release:**\n${c.problems.map((p) => `  - ${p.replace(/\n\s*/g, ' ')}`).join('\n')}\n`);
    for (const op of c.operations) {
      out.push(`### ${op.label}\n`);
      out.push(
        list('Breaking', op.breaking) +
          list('Non-breaking', op.nonBreaking) +
          list('Deprecated', op.deprecated) +
          list('Documentation', op.documentation),
      );
      out.push(
        op.consumers.length
          ? `Consumers in the last 30 days: ${op.consumers.map((u) => `${u.consumer} (${u.calls} calls, last ${u.lastCalledAt})`).join(', ')}\n`
          : op.operationId
            ? 'Consumers in the last 30 days: none recorded.\n'
            : '',
      );
    }
    out.push(
      c.findings.length
        ? `### Spectral findings\n\n${c.findings.map((f) => `- ${f.severity} \`${f.code}\` line ${f.line}: ${f.message}`).join('\n')}\n`
        : '### Spectral findings\n\nNone.\n',
    );
  }
  return out.join('\n');
}

export function renderHtml(report: ReviewReport): string {
  const items = (title: string, list: string[]) =>
    list.length ? `<p><strong>${title}</strong></p><ul>${list.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
  const sections = report.contracts
    .map((c) => {
      const ops = c.operations
        .map(
          (op) => `<h3>${escapeHtml(op.label)}</h3>
${items('Breaking', op.breaking)}${items('Non-breaking', op.nonBreaking)}${items('Deprecated', op.deprecated)}${items('Documentation', op.documentation)}
${
  op.consumers.length
    ? `<table><thead><tr><th>Consumer</th><th>Calls (30 days)</th><th>Last call</th></tr></thead><tbody>${op.consumers
        .map((u) => `<tr><td><code>${escapeHtml(u.consumer)}</code></td><td>${u.calls}</td><td>${escapeHtml(u.lastCalledAt)}</td></tr>`)
        .join('')}</tbody></table>`
    : op.operationId
      ? '<p>No consumer called it in the last 30 days.</p>'
      : ''
}`,
        )
        .join('\n');
      const findings = c.findings.length
        ? `<ul>${c.findings.map((f) => `<li>${escapeHtml(`${f.severity} ${f.code} line ${f.line}: ${f.message}`)}</li>`).join('')}</ul>`
        : '<p>None.</p>';
      return `<section><h2>${escapeHtml(c.contract)} <small>${escapeHtml(c.file)}</small></h2>
<p>State: ${escapeHtml(c.state)}. Version bump: ${escapeHtml(c.bump)}.</p>
${c.problems.length ? `<p class="block"><strong>Blocks the release:</strong></p><ul>${c.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : ''}
${ops}
<h3>Spectral findings</h3>${findings}</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Contract review against ${escapeHtml(report.base)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2330}table{border-collapse:collapse}td,th{border-bottom:1px solid #dde1e8;padding:.3rem .6rem;text-align:left}.block{color:#a11}section{border-top:2px solid #dde1e8;margin-top:2rem}</style>
</head><body><h1>Contract review against ${escapeHtml(report.base)}</h1>
<p>Consumer impact counts calls since ${escapeHtml(report.since)} (UTC).</p>
${sections || '<p>No contract changed.</p>'}
</body></html>
`;
}
