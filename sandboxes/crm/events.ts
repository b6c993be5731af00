// Change Data Capture: every change made through the API is published as a change event
// (`AccountChangeEvent`, …) and delivered to subscribers as a signed webhook.
import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../kit/app.js';
import type { Change } from './records.js';
import type { CrmState } from './state.js';

export interface ChangeEventOptions {
  apiVersion: string;
  clientId: string;
}

export function publishChanges(ctx: SandboxContext<CrmState>, changes: Change[], opts: ChangeEventOptions): void {
  const state = ctx.state();
  const transactionKey = randomUUID();
  const commitTimestamp = Date.now();
  changes.forEach((change, index) => {
    if (change.type === 'UPDATE' && change.changedFields.length === 0) return;
    const fields: Record<string, unknown> = {};
    const nulled: string[] = [];
    if (change.record && change.type !== 'DELETE') {
      const names = change.type === 'CREATE' ? Object.keys(change.record) : change.changedFields;
      for (const name of names) {
        if (name === 'Id' || name === 'IsDeleted' || name === 'SystemModstamp') continue;
        const value = change.record[name];
        if (value === null) nulled.push(name);
        else fields[name] = value;
      }
    }
    const replayId = state.replayId++;
    const event = {
      schema: `crm-sandbox-${change.object}ChangeEvent-v1`,
      payload: {
        ChangeEventHeader: {
          entityName: change.object,
          recordIds: [change.id],
          changeType: change.type,
          changeOrigin: `com/salesforce/api/rest/${opts.apiVersion.replace(/^v/, '')};client=${opts.clientId}`,
          transactionKey,
          sequenceNumber: index + 1,
          commitTimestamp,
          commitNumber: replayId,
          commitUser: state.integrationUserId,
          // Salesforce lists changed fields for updates only; a create carries the whole record.
          changedFields: change.type === 'UPDATE' ? change.changedFields.filter((f) => f !== 'SystemModstamp') : [],
          nulledFields: change.type === 'UPDATE' ? nulled : [],
          diffFields: [],
        },
        ...fields,
      },
      event: { replayId },
    };
    ctx.webhooks.send(`${change.object}ChangeEvent`, event);
  });
}
