import { describe, expect, it } from 'vitest';
import { waitMsFrom } from './prefer.js';

describe('Prefer: wait for the create-project call', () => {
  it('defaults to 10 s, caps at 25 s and answers at once for respond-async', () => {
    expect(waitMsFrom(undefined)).toBe(10_000);
    expect(waitMsFrom('wait=3')).toBe(3_000);
    expect(waitMsFrom('wait=99')).toBe(25_000);
    expect(waitMsFrom('wait=5, respond-async')).toBe(0);
  });
});
