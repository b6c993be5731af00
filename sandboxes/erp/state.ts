// In-memory state of the NetSuite-shaped sandbox: record maps per record type, internal
// id sequences (entities and transactions each share one, as in NetSuite), the integration
// records and certificates of the machine-to-machine login, and issued tokens. Records are stored without links; routes add them on the way out.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ERP_DEV_CERTIFICATE_ID, ERP_DEV_PRIVATE_KEY_PEM } from '../../core/config/erp-m2m.js';
import type {
  NsCreditMemo,
  NsCurrency,
  NsCustomer,
  NsCustomerPayment,
  NsCustomerRefund,
  NsInvoice,
  NsJob,
  NsProjectTask,
  NsRateCard,
  NsRecordBase,
  NsSubsidiary,
} from './vendor-types.js';

export interface ErpRecords {
  currency: Map<string, NsCurrency>;
  subsidiary: Map<string, NsSubsidiary>;
  customer: Map<string, NsCustomer>;
  job: Map<string, NsJob>;
  invoice: Map<string, NsInvoice>;
  customerPayment: Map<string, NsCustomerPayment>;
  creditMemo: Map<string, NsCreditMemo>;
  customerRefund: Map<string, NsCustomerRefund>;
  customrecord_rate_card: Map<string, NsRateCard>;
  /** Project tasks; those flagged `isMilestone` are billing milestones. */
  projectTask: Map<string, NsProjectTask & { isMilestone?: boolean }>;
}

export type ErpRecordType = keyof ErpRecords;
export const RECORD_TYPES: readonly ErpRecordType[] = [
  'currency',
  'subsidiary',
  'customer',
  'job',
  'invoice',
  'customerPayment',
  'creditMemo',
  'customerRefund',
  'customrecord_rate_card',
  'projectTask',
];

type Sequence = 'entity' | 'transaction' | 'currency' | 'subsidiary' | 'custom' | 'task';

/** Which id sequence a record type draws from. */
const SEQUENCE: Record<ErpRecordType, Sequence> = {
  currency: 'currency',
  subsidiary: 'subsidiary',
  customer: 'entity',
  job: 'entity',
  invoice: 'transaction',
  customerPayment: 'transaction',
  creditMemo: 'transaction',
  customerRefund: 'transaction',
  customrecord_rate_card: 'custom',
  projectTask: 'task',
};

/** A certificate mapped in OAuth 2.0 Client Credentials (M2M) Setup: to one integration record, until revoked. */
export interface M2mCertificate {
  certificateId: string;
  /** The integration record's client id that may sign with it (the assertion's iss). */
  clientId: string;
  publicKey: KeyObject;
  revoked: boolean;
}

/** An issued access token: when it expires and which scopes it carries. */
export interface IssuedToken {
  expiresAt: number;
  scopes: readonly string[];
}

export interface ErpState {
  /** Integration records with the client credentials (machine to machine) grant enabled, by client id. */
  integrations: Set<string>;
  /** Mapped certificates by certificate id (the assertion's kid). */
  certificates: Map<string, M2mCertificate>;
  /** Issued bearer tokens. */
  tokens: Map<string, IssuedToken>;
  records: ErpRecords;
  sequences: Record<Sequence, number>;
  /** Invoice numbers per subsidiary; payment numbers are account-wide. */
  invoiceNumbers: Map<string, number>;
  paymentNumber: number;
  /** Credit memo and refund numbers, account-wide. */
  creditNumber: number;
  refundNumber: number;
  /** The sandbox clock's "now" source; tests may pin it. */
  now(): Date;
}

export const SANDBOX_ERP_CLIENT_ID = 'sandbox-erp-client';
/** The seeded certificate: the layer's development default key signs with it. */
export const SANDBOX_ERP_CERTIFICATE_ID = ERP_DEV_CERTIFICATE_ID;

export function emptyState(): ErpState {
  return {
    integrations: new Set([SANDBOX_ERP_CLIENT_ID]),
    certificates: new Map([
      [
        SANDBOX_ERP_CERTIFICATE_ID,
        {
          certificateId: SANDBOX_ERP_CERTIFICATE_ID,
          clientId: SANDBOX_ERP_CLIENT_ID,
          publicKey: createPublicKey(ERP_DEV_PRIVATE_KEY_PEM),
          revoked: false,
        },
      ],
    ]),
    tokens: new Map(),
    records: {
      currency: new Map(),
      subsidiary: new Map(),
      customer: new Map(),
      job: new Map(),
      invoice: new Map(),
      customerPayment: new Map(),
      creditMemo: new Map(),
      customerRefund: new Map(),
      customrecord_rate_card: new Map(),
      projectTask: new Map(),
    },
    sequences: { entity: 100, transaction: 1000, currency: 0, subsidiary: 0, custom: 0, task: 5000 },
    invoiceNumbers: new Map(),
    paymentNumber: 0,
    creditNumber: 0,
    refundNumber: 0,
    now: () => new Date(),
  };
}

export function nextId(state: ErpState, type: ErpRecordType): string {
  const sequence = SEQUENCE[type];
  state.sequences[sequence] += 1;
  return String(state.sequences[sequence]);
}

/** The record map of a type, widened for generic handlers (the routes validate shapes). */
export function recordMap(state: ErpState, type: ErpRecordType): Map<string, NsRecordBase & Record<string, unknown>> {
  return state.records[type] as unknown as Map<string, NsRecordBase & Record<string, unknown>>;
}

/** Finds a record by internal id or by `eid:<externalId>`. */
export function findRecord(state: ErpState, type: ErpRecordType, idOrEid: string): (NsRecordBase & Record<string, unknown>) | undefined {
  const map = recordMap(state, type);
  if (idOrEid.startsWith('eid:')) {
    const externalId = idOrEid.slice(4);
    for (const record of map.values()) if (record.externalId === externalId) return record;
    return undefined;
  }
  return map.get(idOrEid);
}

/** RFC 3339 UTC without milliseconds, as NetSuite prints timestamps. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
