// RFC 7240 `Prefer` for the create-project call: how long the CRM user is willing to wait.
// The contract's pattern has already been checked by the gateway.
export const DEFAULT_WAIT_SECONDS = 10;
export const MAX_WAIT_SECONDS = 25;

export function waitMsFrom(prefer: string | undefined): number {
  if (!prefer) return DEFAULT_WAIT_SECONDS * 1000;
  const tokens = prefer.split(',').map((t) => t.trim().toLowerCase());
  if (tokens.includes('respond-async')) return 0;
  const wait = tokens.find((t) => t.startsWith('wait='));
  const seconds = wait ? Number(wait.slice(5)) : DEFAULT_WAIT_SECONDS;
  return Math.min(Number.isFinite(seconds) ? seconds : DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS) * 1000;
}
