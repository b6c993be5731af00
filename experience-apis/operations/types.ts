// The contract's types for the operations API, from the generated file, under short names.
import type { components } from '../../generated/openapi/experience/operations.v1.js';

type Schemas = components['schemas'];
export type OperationsSummary = Schemas['OperationsSummary'];
export type RunSummary = Schemas['RunSummary'];
export type RunSummaryPage = Schemas['RunSummaryPage'];
export type RunDetail = Schemas['RunDetail'];
export type RunState = Schemas['RunState'];
export type DeadLetter = Schemas['DeadLetter'];
export type DeadLetterPage = Schemas['DeadLetterPage'];
export type DeadLetterStatus = DeadLetter['status'];
export type ReplayResult = Schemas['ReplayResult'];
export type WebhookSubscription = Schemas['WebhookSubscription'];
export type CreatedWebhookSubscription = Schemas['CreatedWebhookSubscription'];
export type NewWebhookSubscription = Schemas['NewWebhookSubscription'];
export type WebhookSubscriptionChange = Schemas['WebhookSubscriptionChange'];
export type EventReplayRequest = Schemas['EventReplayRequest'];
export type EventReplayResult = Schemas['EventReplayResult'];
export type RejectedWebhook = Schemas['RejectedWebhook'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type ChangeFeed = Schemas['ChangeFeed'];
export type ChangeFeedList = Schemas['ChangeFeedList'];
export type ExecutiveFigures = Schemas['ExecutiveFigures'];
export type TrendList = Schemas['TrendList'];
export type LayerAlert = Schemas['LayerAlert'];
export type LayerAlertPage = Schemas['LayerAlertPage'];
/** The free-form JSON fields (input, result): the generated type reads `type: object` as Record<string, never>. */
export type Json = DeadLetter['input'];
export type ReconciliationException = Schemas['ReconciliationException'];
export type ReconciliationExceptionPage = Schemas['ReconciliationExceptionPage'];
export type ReconciliationPass = Schemas['ReconciliationPass'];
export type ReconciliationPassPage = Schemas['ReconciliationPassPage'];
export type ReconciliationPassRequest = Schemas['ReconciliationPassRequest'];
export type ExceptionDismissal = Schemas['ExceptionDismissal'];
export type BusinessViewList = Schemas['BusinessViewList'];
export type CurrentOperator = Schemas['CurrentOperator'];
