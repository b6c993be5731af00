// When each account's billing status was last written to the CRM (what `syncedAt` reports).
import type { Kysely } from 'kysely';
import { nowMs } from '../../core/store/portable.js';
import type { Database } from '../../core/store/schema.js';

export interface AccountSyncTable {
  erp_client_id: string;
  crm_client_id: string;
  synced_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    bsc_account_sync: AccountSyncTable;
  }
}

export async function recordSync(db: Kysely<Database>, erpClientId: string, crmClientId: string): Promise<void> {
  const at = nowMs();
  await db
    .insertInto('bsc_account_sync')
    .values({ erp_client_id: erpClientId, crm_client_id: crmClientId, synced_at_ms: at })
    .onConflict((oc) => oc.column('erp_client_id').doUpdateSet({ crm_client_id: crmClientId, synced_at_ms: at }))
    .execute();
}

export async function lastSync(db: Kysely<Database>, erpClientId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('bsc_account_sync').select('synced_at_ms').where('erp_client_id', '=', erpClientId).executeTakeFirst();
  return row ? new Date(Number(row.synced_at_ms)) : undefined;
}

/** The CRM account a provisioned ERP client came from (opportunity-to-project records the pair). */
export async function crmClientOf(db: Kysely<Database>, erpClientId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('otp_client_links')
    .select('crm_client_id')
    .where('erp_client_id', '=', erpClientId)
    .orderBy('created_at_ms')
    .orderBy('crm_client_id')
    .executeTakeFirst();
  return row?.crm_client_id;
}

export async function linkedErpClients(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('otp_client_links').select('erp_client_id').distinct().orderBy('erp_client_id').execute();
  return rows.map((r) => r.erp_client_id);
}

/** Every provisioned ERP client with the CRM account its status is written to (the first linked, as crmClientOf). */
export async function accountLinks(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('otp_client_links')
    .select(['erp_client_id', 'crm_client_id'])
    .orderBy('created_at_ms', 'desc')
    .orderBy('crm_client_id', 'desc')
    .execute();
  // Oldest last, so that it wins.
  return new Map(rows.map((r) => [r.erp_client_id, r.crm_client_id]));
}

/** When each ERP client's account was last written, by ERP client id. */
export async function syncTimes(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db.selectFrom('bsc_account_sync').select(['erp_client_id', 'synced_at_ms']).execute();
  return new Map(rows.map((r) => [r.erp_client_id, Number(r.synced_at_ms)]));
}
