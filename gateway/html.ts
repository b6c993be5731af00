// The page shell of the gateway's own small HTML pages (problem types); the docs index is
// core/contracts' renderDocsIndex.
import { escapeHtml } from '../core/contracts/docs-index.js';

export { escapeHtml };

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
.deprecated{color:#a60}.retired{color:#a00}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body>${body}</body></html>`;
}
