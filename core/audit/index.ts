// The audit trail: who changed what, when, under which correlation id.
export { recordAudit, queryAudit, AUDIT_MAX_PAGE } from './audit.js';
export type { AuditEntry, AuditRecord, AuditQuery, AuditPage } from './audit.js';
export type { AuditLogTable } from './schema.js';
