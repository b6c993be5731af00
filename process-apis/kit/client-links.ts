// Which ERP client each CRM account became: recorded when provisioning finds or creates the
// client, read by views that start from the CRM account (the account overview).
import type { Kysely } from 'kysely';
import { isUniqueViolation, nowMs } from '../../core/store/portable.js';
import type { Database } from '../../core/store/schema.js';

export interface ClientLinksTable {
  crm_client_id: string;
  erp_client_id: string;
  created_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    otp_client_links: ClientLinksTable;
  }
}

export async function linkClients(db: Kysely<Database>, crmClientId: string, erpClientId: string): Promise<void> {
  const known = await db.selectFrom('otp_client_links').select('erp_client_id').where('crm_client_id', '=', crmClientId).executeTakeFirst();
  if (known?.erp_client_id === erpClientId) return;
  try {
    if (known)
      await db.updateTable('otp_client_links').set({ erp_client_id: erpClientId }).where('crm_client_id', '=', crmClientId).execute();
    else
      await db
        .insertInto('otp_client_links')
        .values({ crm_client_id: crmClientId, erp_client_id: erpClientId, created_at_ms: nowMs() })
        .execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function erpClientOf(db: Kysely<Database>, crmClientId: string): Promise<string | undefined> {
  const row = await db.selectFrom('otp_client_links').select('erp_client_id').where('crm_client_id', '=', crmClientId).executeTakeFirst();
  return row?.erp_client_id;
}
