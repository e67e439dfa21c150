import { describe, expect, it } from 'vitest';
import { isProxyError, ProxyError, toProxyError } from '../../src/errors.js';

describe('toProxyError', () => {
  it('keeps a ProxyError as it is', () => {
    const error = new ProxyError('REMOTE_BAD_RESPONSE', 'the server sent garbage', { status: 200 });
    expect(toProxyError(error)).toBe(error);
  });

  // Regression: any foreign error used to become REMOTE_BAD_RESPONSE, blaming the server for the proxy's bug.
  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a thrown string', 'oops'],
  ])('makes %s INTERNAL, keeping its text and cause', (_name, thrown) => {
    const error = toProxyError(thrown);
    expect(isProxyError(error, 'INTERNAL')).toBe(true);
    expect(error.message).toContain(thrown instanceof Error ? thrown.message : thrown);
    expect(error.cause).toBe(thrown);
  });
});
