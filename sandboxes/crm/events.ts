// Change Data Capture: every change made through the API is published as a change event
// (`AccountChangeEvent`, …) to the org's event bus, where Streaming API subscribers read it by
// replay id; with the relay switch on, also as a signed webhook keyed by the change itself.
import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../kit/app.js';
import type { RetainedEvent } from './event-bus.js';
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
  // One commit number per transaction, increasing: the replay id its first event gets.
  const commitNumber = state.eventBus.latest() + 1;
  const published: RetainedEvent[] = [];
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
    const event = state.eventBus.publish(change.object, (replayId) => ({
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
          commitNumber,
          commitUser: state.integrationUserId,
          // Salesforce lists changed fields for updates only; a create carries the whole record.
          changedFields: change.type === 'UPDATE' ? change.changedFields.filter((f) => f !== 'SystemModstamp') : [],
          nulledFields: change.type === 'UPDATE' ? nulled : [],
          diffFields: [],
        },
        ...fields,
      },
      event: { replayId },
    }));
    published.push(event);
  });
  if (state.relayChangeEvents) relay(ctx, published);
}

/** The relay's posts: one per event, its webhook-id the change's transactionKey and sequenceNumber. */
function relay(ctx: SandboxContext<CrmState>, events: RetainedEvent[]): void {
  for (const { entityName, data } of events) {
    const header = data.payload.ChangeEventHeader as { transactionKey: string; sequenceNumber: number };
    ctx.webhooks.send(`${entityName}ChangeEvent`, data, { id: `${header.transactionKey}:${header.sequenceNumber}` });
  }
}
