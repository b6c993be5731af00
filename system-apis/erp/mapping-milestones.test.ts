import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import { isCanonicalId } from '../../core/xref/index.js';
import type { ErpEntity, ToCanonicalContext } from './mapping.js';
import { invoiceExternalId } from './mapping-billing.js';
import { billingToNs, completionToNs, milestoneToCanonical } from './mapping-milestones.js';
import type { NsProjectTask } from './vendor-types.js';

const currencies: Record<string, string> = { '1': 'GBP', '3': 'EUR', '4': 'JPY', '5': 'KWD' };
const ctx: ToCanonicalContext = {
  currencyCode: (id) => currencies[id]!,
  canonicalId: (entity: ErpEntity, native: string) => `${entity}:${native}`,
};

// A project task as REST web services answers it (expandSubResources=true): links on the
// record and its references, the custom fields of a milestone with its fee in the project currency.
const completed: NsProjectTask = {
  links: [{ rel: 'self', href: 'https://tstdrv100001.suitetalk.api.netsuite.com/services/rest/record/v1/projectTask/5042' }],
  id: '5042',
  project: {
    links: [{ rel: 'self', href: 'https://tstdrv100001.suitetalk.api.netsuite.com/services/rest/record/v1/job/5120' }],
    id: '5120',
    refName: 'MUE-2026-01 ERP rollout',
  },
  title: 'Solution delivered',
  status: { id: 'COMPLETE', refName: 'Completed' },
  startDate: '2026-09-01',
  finishByDate: '2026-11-20',
  custevent_ms_amount: 75000.5,
  custevent_ms_completed_on: '2026-11-18',
  externalId: 'seed-milestone-5042',
  dateCreated: '2026-09-01T08:00:00Z',
  lastModifiedDate: '2026-11-18T17:20:00+01:00',
};

function upstreamDetail(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(502);
    return (err as ProblemError).detail ?? '';
  }
  throw new Error('expected an upstream error');
}

describe('milestone mapping', () => {
  it('maps a completed, unbilled milestone with its fee in minor units of the project currency', () => {
    expect(milestoneToCanonical(completed, '3', ctx)).toEqual({
      id: 'milestone:5042',
      engagementId: 'engagement:5120',
      name: 'Solution delivered',
      amount: { amountMinor: 7_500_050, currency: 'EUR' },
      plannedDate: '2026-11-20',
      status: 'completed',
      completedOn: '2026-11-18',
      billingStatus: 'unbilled',
      updatedAt: '2026-11-18T16:20:00Z',
    });
  });

  it('names the invoice of a billed milestone', () => {
    const billed = { ...completed, custevent_ms_invoice: { id: '1077', refName: 'NW-DE-INV-000031' } };
    expect(milestoneToCanonical(billed, '3', ctx)).toMatchObject({ billingStatus: 'billed', invoiceId: 'invoice:1077' });
  });

  it('maps statuses, drops a completion date of a task not completed, and takes zero-decimal currencies', () => {
    const open: NsProjectTask = {
      ...completed,
      status: { id: 'PROGRESS', refName: 'In Progress' },
      custevent_ms_amount: 1_250_000,
      custevent_ms_completed_on: undefined,
      finishByDate: undefined,
    };
    const mapped = milestoneToCanonical(open, '4', ctx);
    expect(mapped).toMatchObject({ status: 'in-progress', billingStatus: 'unbilled', amount: { amountMinor: 1_250_000, currency: 'JPY' } });
    expect(mapped).not.toHaveProperty('completedOn');
    expect(mapped).not.toHaveProperty('plannedDate');
    expect(milestoneToCanonical({ ...open, status: { id: 'NOTSTART' } }, '5', ctx).status).toBe('not-started');
    expect(milestoneToCanonical({ ...completed, custevent_ms_amount: undefined }, '1', ctx).amount).toEqual({
      amountMinor: 0,
      currency: 'GBP',
    });
  });

  it('refuses vendor data it cannot trust: more decimals than the currency, negative fees, unknown status, billed before completed', () => {
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, custevent_ms_amount: 10.005 }, '3', ctx))).toMatch(
      /custevent_ms_amount/,
    );
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, custevent_ms_amount: 100.5 }, '4', ctx))).toMatch(
      /custevent_ms_amount/,
    );
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, custevent_ms_amount: -1 }, '3', ctx))).toMatch(/negative/);
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, status: { id: 'DONE' as 'COMPLETE' } }, '3', ctx))).toMatch(
      /unknown status/,
    );
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, custevent_ms_completed_on: undefined }, '3', ctx))).toMatch(
      /without a completion date/,
    );
    expect(
      upstreamDetail(() =>
        milestoneToCanonical({ ...completed, status: { id: 'PROGRESS' }, custevent_ms_invoice: { id: '1077' } }, '3', ctx),
      ),
    ).toMatch(/billed but not completed/);
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, custevent_ms_completed_on: '2026-02-30' }, '3', ctx))).toMatch(
      /not a date/,
    );
  });

  it('cleans control characters out of the title and refuses an empty one', () => {
    expect(milestoneToCanonical({ ...completed, title: 'Phase\u0007 I\ngoals met ' }, '3', ctx).name).toBe('Phase  I goals met');
    expect(upstreamDetail(() => milestoneToCanonical({ ...completed, title: ' \n ' }, '3', ctx))).toMatch(/no title/);
  });

  it('writes completion and billing as absolute values', () => {
    expect(completionToNs('2026-11-18')).toEqual({ status: { id: 'COMPLETE' }, custevent_ms_completed_on: '2026-11-18' });
    expect(billingToNs('1077')).toEqual({ custevent_ms_invoice: { id: '1077' } });
  });
});

describe('invoice external id', () => {
  it('is a UUIDv7 from project, period and sequence: the period start as its time, the same for the same key, another for any other', () => {
    const id = invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e260', '2026-11-01', '2026-11-30', 1);
    expect(isCanonicalId(id)).toBe(true);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e260', '2026-11-01', '2026-11-30', 1)).toBe(id);
    const others = [
      invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e260', '2026-11-01', '2026-11-30', 2),
      invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e261', '2026-11-01', '2026-11-30', 1),
      invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e260', '2026-11-01', '2026-11-15', 1),
      invoiceExternalId('01a216af-078d-7328-958b-9a2e69a1e260', '2026-12-01', '2026-12-31', 1),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
    expect(others.every(isCanonicalId)).toBe(true);
  });
});
