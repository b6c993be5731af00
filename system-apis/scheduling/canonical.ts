// Canonical scheduling records, as generated from openapi/system/scheduling.v1.yaml (which
// takes them from openapi/components). No vendor field name appears here.
import type { components } from '../../generated/openapi/system/scheduling.v1.js';

type Schemas = components['schemas'];
export type Resource = Schemas['Resource'];
export type Assignment = Schemas['Assignment'];
export type AssignmentInput = Schemas['AssignmentInput'];
export type AssignmentUpdate = Schemas['AssignmentUpdate'];
export type StaffingRequest = Schemas['StaffingRequest'];
export type StaffingRequestInput = Schemas['StaffingRequestInput'];
export type SchedulingProject = Schemas['SchedulingProject'];
export type SchedulingProjectInput = Schemas['SchedulingProjectInput'];
export type Money = Schemas['Money'];
export type AssignmentStatus = Assignment['status'];
export type StaffingRequestStatus = StaffingRequest['status'];
