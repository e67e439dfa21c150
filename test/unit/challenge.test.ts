import { describe, expect, it } from 'vitest';
import { bearerChallenge, parseChallenges } from '../../src/auth/challenge.js';

describe('parseChallenges', () => {
  it.each<[string, string[], Array<{ scheme: string; params: Record<string, string> }>]>([
    ['bare scheme', ['Bearer'], [{ scheme: 'bearer', params: {} }]],
    ['quoted params', ['Bearer realm="mcp", scope="a b"'], [{ scheme: 'bearer', params: { realm: 'mcp', scope: 'a b' } }]],
    ['token params', ['Bearer error=invalid_token'], [{ scheme: 'bearer', params: { error: 'invalid_token' } }]],
    ['case-insensitive names', ['BEARER Resource_Metadata="u"'], [{ scheme: 'bearer', params: { resource_metadata: 'u' } }]],
    ['escapes in quoted strings', ['Bearer error_description="say \\"hi\\", ok"'], [{ scheme: 'bearer', params: { error_description: 'say "hi", ok' } }]],
    ['comma inside quotes', ['Bearer scope="a,b", error="x"'], [{ scheme: 'bearer', params: { scope: 'a,b', error: 'x' } }]],
    [
      'two challenges in one line',
      ['Basic realm="x", Bearer resource_metadata="https://a/.well-known/oauth-protected-resource"'],
      [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { resource_metadata: 'https://a/.well-known/oauth-protected-resource' } },
      ],
    ],
    [
      'token68 then another challenge',
      ['Negotiate abc==, Bearer scope="s"'],
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'bearer', params: { scope: 's' } },
      ],
    ],
    [
      'two header lines',
      ['DPoP algs="ES256"', 'Bearer scope="s"'],
      [
        { scheme: 'dpop', params: { algs: 'ES256' } },
        { scheme: 'bearer', params: { scope: 's' } },
      ],
    ],
    ['duplicate parameter keeps the first', ['Bearer scope="a", scope="b"'], [{ scheme: 'bearer', params: { scope: 'a' } }]],
    ['spaces around =', ['Bearer scope = "a"'], [{ scheme: 'bearer', params: { scope: 'a' } }]],
    ['unterminated quote keeps the scheme', ['Bearer scope="a'], [{ scheme: 'bearer', params: {} }]],
    ['empty', [''], []],
  ])('%s', (_name, lines, expected) => {
    expect(parseChallenges(lines)).toEqual(expected);
  });
});

describe('bearerChallenge', () => {
  it('reads the MCP parameters of the Bearer challenge', () => {
    const c = bearerChallenge([
      'Basic realm="legacy"',
      'Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", error_description="need write"',
    ]);
    expect(c?.error).toBe('insufficient_scope');
    expect(c?.scope).toBe('files:read files:write');
    expect(c?.resourceMetadata?.href).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    expect(c?.errorDescription).toBe('need write');
  });
  it('ignores a resource_metadata that is not an http(s) URL', () => {
    expect(bearerChallenge(['Bearer resource_metadata="javascript:alert(1)"'])?.resourceMetadata).toBeUndefined();
    expect(bearerChallenge(['Bearer resource_metadata="/relative"'])?.resourceMetadata).toBeUndefined();
  });
  it('is undefined without a Bearer or DPoP challenge', () => {
    expect(bearerChallenge(['Basic realm="x"'])).toBeUndefined();
    expect(bearerChallenge([])).toBeUndefined();
  });
});
