// ERP record-change webhooks read as canonical billing changes. Signature checking and
// de-duplication happen before this, in core/inbox; this only reads the payload.

/** An invoice or payment the layer created changed; its canonical id is what the layer gave it. */
export type BillingChange = { kind: 'invoice'; invoiceId: string } | { kind: 'payment'; paymentId: string };

/**
 * The canonical change a NetSuite record webhook announces, or undefined when it is not one the
 * layer follows. Records the layer created carry their canonical id as external id; others
 * (made by hand in ERP) are left to the reconciling poll.
 */
export function readBillingChange(payload: unknown): BillingChange | undefined {
  const p = payload as { recordType?: unknown; externalId?: unknown } | undefined;
  const externalId = typeof p?.externalId === 'string' ? p.externalId : undefined;
  if (!externalId) return undefined;
  if (p?.recordType === 'invoice') return { kind: 'invoice', invoiceId: externalId };
  if (p?.recordType === 'customerPayment') return { kind: 'payment', paymentId: externalId };
  return undefined;
}
