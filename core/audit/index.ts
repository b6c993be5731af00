// The audit trail: who changed what, when, under which correlation id.
export { recordAudit, queryAudit, AUDIT_CURSOR } from './audit.js';
export type { AuditEntry, AuditRecord, AuditQuery } from './audit.js';
export type { AuditLogTable } from './schema.js';
