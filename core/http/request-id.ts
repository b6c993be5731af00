// Request ids: a caller's X-Request-Id is kept when it is short and made of safe
// characters (so it cannot inject into logs or headers); otherwise a new UUIDv7 is made.
import { v7 as uuidv7 } from 'uuid';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function acceptOrCreateRequestId(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SAFE_REQUEST_ID.test(header)) return header;
  return uuidv7();
}
