// The contract's types the console's browser tests share.
import type { components } from '../../../generated/openapi/experience/operations.v1.js';

export type CurrentOperator = components['schemas']['CurrentOperator'];
