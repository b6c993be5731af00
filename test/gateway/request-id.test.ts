// Generated request ids are well-formed UUIDv7s (the uuid package's own validator is the judge),
// and a caller's safe X-Request-Id is kept while an unsafe one is replaced.
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { acceptOrCreateRequestId, newRequestId } from '../../core/http/request-id.js';

describe('request ids', () => {
  it('makes valid, distinct UUIDv7s carrying the current millisecond', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newRequestId();
      expect(validate(id) && version(id) === 7, id).toBe(true);
      ids.add(id);
    }
    expect(ids.size).toBe(5000);
    expect(newRequestId(0x0190163d8694).startsWith('0190163d-8694-7')).toBe(true);
  });

  it('keeps a safe caller id and replaces an unsafe one', () => {
    expect(acceptOrCreateRequestId('abc-123')).toBe('abc-123');
    const replaced = acceptOrCreateRequestId('bad id\r\nX-Injected: 1');
    expect(validate(replaced)).toBe(true);
  });
});
