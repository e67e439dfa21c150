import { describe, expect, it } from 'vitest';
import { addSecret, redact } from '../../src/log.js';

describe('redact', () => {
  addSecret('s3cr3t-header-value');

  it.each<[string, string, string]>([
    ['a registered secret anywhere', 'sent X-Key s3cr3t-header-value to server', 'sent X-Key [redacted] to server'],
    ['a Bearer value', 'Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer [redacted]'],
    ['a Basic value', 'authorization: basic dXNlcjpwYXNz', 'authorization: basic [redacted]'],
    ['a code parameter', 'GET /callback?code=abc123&state=xyz', 'GET /callback?code=[redacted]&state=xyz'],
    ['a refresh_token form field', 'grant_type=refresh_token&refresh_token=rt-1', 'grant_type=refresh_token&refresh_token=[redacted]'],
    ['a JSON access_token', '{"access_token": "at-1", "token_type":"Bearer"}', '{"access_token":"[redacted]", "token_type":"Bearer"}'],
    ['a JSON client_secret with escapes', '{"client_secret":"a\\"b"}', '{"client_secret":"[redacted]"}'],
    ['code_challenge is not a code', 'authorize?code_challenge=abc&code_challenge_method=S256', 'authorize?code_challenge=abc&code_challenge_method=S256'],
    ['regression: a grant type name is not a credential', 'the AS only supports jwt-bearer grants', 'the AS only supports jwt-bearer grants'],
    ['plain text untouched', 'could not connect to https://a/mcp (ECONNREFUSED)', 'could not connect to https://a/mcp (ECONNREFUSED)'],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });
});
