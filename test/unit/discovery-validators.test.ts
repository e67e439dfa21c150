// The proxy's boundary validators, oauth4webapi style: a document in, the value or a ProxyError
// out, the checks in a fixed order, every message naming the field. Exact messages, so that a
// change in wording or order is seen here rather than by spawning the CLI for each case.
import { describe, expect, it } from 'vitest';
import { processAuthServerMetadata, processResourceMetadata } from '../../src/auth/discovery.js';
import { parseTokenResponse } from '../../src/auth/token-endpoint.js';
import { ProxyError } from '../../src/errors.js';

const server = new URL('https://mcp.example.com/mcp');
const prmUrl = new URL('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
const PRM = 'protected resource metadata';

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProxyError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ProxyError, got a value');
}

describe('processResourceMetadata (RFC 9728 §3.2, §3.3)', () => {
  const valid = { resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://as.example.com'] };

  it.each<[string, Record<string, unknown>, string]>([
    ['no resource', { ...valid, resource: undefined }, `"resource" in ${PRM} is missing`],
    ['an empty resource', { ...valid, resource: '' }, `"resource" in ${PRM} is missing`],
    ['a resource that is not a string', { ...valid, resource: 42 }, `"resource" in ${PRM} is missing`],
    [
      'another origin',
      { ...valid, resource: 'https://other.example.com/mcp' },
      `"resource" in ${PRM} (https://other.example.com/mcp) does not match the server URL https://mcp.example.com/mcp; refusing to authorize for another resource`,
    ],
    [
      'a sibling path',
      { ...valid, resource: 'https://mcp.example.com/other' },
      `"resource" in ${PRM} (https://mcp.example.com/other) does not match the server URL https://mcp.example.com/mcp; refusing to authorize for another resource`,
    ],
    [
      'a string prefix that is no path prefix',
      { ...valid, resource: 'https://mcp.example.com/mc' },
      `"resource" in ${PRM} (https://mcp.example.com/mc) does not match the server URL https://mcp.example.com/mcp; refusing to authorize for another resource`,
    ],
    [
      'authorization_servers not an array',
      { ...valid, authorization_servers: 'https://as.example.com' },
      `"authorization_servers" in ${PRM} must be an array of strings`,
    ],
    ['authorization_servers holding a number', { ...valid, authorization_servers: [1] }, `"authorization_servers" in ${PRM} must be an array of strings`],
    ['no authorization_servers', { ...valid, authorization_servers: undefined }, `"authorization_servers" in ${PRM} is missing or empty`],
    ['empty authorization_servers', { ...valid, authorization_servers: [] }, `"authorization_servers" in ${PRM} is missing or empty`],
    ['scopes_supported not an array', { ...valid, scopes_supported: 'a b' }, `"scopes_supported" in ${PRM} must be an array of strings`],
    // The order: resource is checked before authorization_servers.
    ['both resource and authorization_servers wrong', { resource: '', authorization_servers: [] }, `"resource" in ${PRM} is missing`],
  ])('%s: AUTH_DISCOVERY', (_name, body, message) => {
    expect(thrown(() => processResourceMetadata(body, prmUrl, server))).toEqual({ code: 'AUTH_DISCOVERY', message });
  });

  it('a valid document, the resource kept exactly as published (a path prefix of the server URL)', () => {
    const prm = processResourceMetadata(
      { resource: 'https://mcp.example.com/', authorization_servers: ['https://as.example.com'], scopes_supported: ['read'] },
      prmUrl,
      server,
    );
    expect(prm).toMatchObject({
      resource: 'https://mcp.example.com/',
      authorizationServers: ['https://as.example.com'],
      scopesSupported: ['read'],
      url: prmUrl,
    });
  });
});

describe('processAuthServerMetadata (RFC 8414 §3.3, MCP "Authorization Code Protection")', () => {
  const issuer = 'https://as.example.com';
  const asmUrl = new URL('https://as.example.com/.well-known/oauth-authorization-server');
  const ASM = 'authorization server metadata';
  const valid = {
    issuer,
    authorization_endpoint: 'https://as.example.com/authorize',
    token_endpoint: 'https://as.example.com/token',
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
  const strict = { allowHttp: false, assumePkce: false };

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'another issuer',
      { ...valid, issuer: 'https://evil.example.com' },
      'AUTH_DISCOVERY',
      `"issuer" in ${ASM} at https://as.example.com/.well-known/oauth-authorization-server does not match the issuer it was discovered for (expected ${issuer}, got https://evil.example.com); not using it`,
    ],
    [
      'the issuer with a trailing slash (no normalisation)',
      { ...valid, issuer: `${issuer}/` },
      'AUTH_DISCOVERY',
      `"issuer" in ${ASM} at https://as.example.com/.well-known/oauth-authorization-server does not match the issuer it was discovered for (expected ${issuer}, got ${issuer}/); not using it`,
    ],
    [
      'no issuer',
      { ...valid, issuer: undefined },
      'AUTH_DISCOVERY',
      `"issuer" in ${ASM} at https://as.example.com/.well-known/oauth-authorization-server does not match the issuer it was discovered for (expected ${issuer}, got none); not using it`,
    ],
    ['no authorization_endpoint', { ...valid, authorization_endpoint: undefined }, 'AUTH_DISCOVERY', `"authorization_endpoint" in ${ASM} is missing`],
    [
      'a relative authorization_endpoint',
      { ...valid, authorization_endpoint: '/authorize' },
      'AUTH_DISCOVERY',
      `"authorization_endpoint" in ${ASM} is not an absolute URL`,
    ],
    [
      'a javascript: authorization_endpoint',
      { ...valid, authorization_endpoint: 'javascript:alert(1)' },
      'AUTH_DISCOVERY',
      `"authorization_endpoint" in ${ASM} must be an https URL (got a javascript: URL)`,
    ],
    [
      'a file: token_endpoint',
      { ...valid, token_endpoint: 'file:///tmp/token' },
      'AUTH_DISCOVERY',
      `"token_endpoint" in ${ASM} must be an https URL (got a file: URL)`,
    ],
    [
      'an http token_endpoint off loopback',
      { ...valid, token_endpoint: 'http://as.example.com/token' },
      'AUTH_DISCOVERY',
      `"token_endpoint" in ${ASM} is plain http:// on as.example.com; refusing (pass --allow-http to accept the risk)`,
    ],
    [
      'response types without code',
      { ...valid, response_types_supported: ['token'] },
      'AUTH_DISCOVERY',
      `"response_types_supported" in ${ASM} does not include "code"`,
    ],
    [
      'PKCE methods without S256',
      { ...valid, code_challenge_methods_supported: ['plain'] },
      'AUTH_PKCE_UNSUPPORTED',
      `"code_challenge_methods_supported" in ${ASM} of ${issuer} does not include S256; refusing to sign in without PKCE`,
    ],
    [
      'no PKCE methods listed',
      { ...valid, code_challenge_methods_supported: undefined },
      'AUTH_PKCE_UNSUPPORTED',
      `${ASM} of ${issuer} does not list "code_challenge_methods_supported", so PKCE support cannot be verified. If you know this provider supports PKCE S256, pass --assume-pkce`,
    ],
    [
      'grant_types_supported not an array',
      { ...valid, grant_types_supported: 'authorization_code' },
      'AUTH_DISCOVERY',
      `"grant_types_supported" in ${ASM} must be an array of strings`,
    ],
    // The order: issuer, then the endpoints, then PKCE.
    [
      'issuer and endpoint both wrong',
      { ...valid, issuer: 'x', token_endpoint: 'file:///t' },
      'AUTH_DISCOVERY',
      expect.stringMatching(/^"issuer"/) as unknown as string,
    ],
    [
      'endpoint and PKCE both wrong',
      { ...valid, token_endpoint: 'file:///t', code_challenge_methods_supported: undefined },
      'AUTH_DISCOVERY',
      expect.stringMatching(/^"token_endpoint"/) as unknown as string,
    ],
  ])('%s', (_name, body, code, message) => {
    expect(thrown(() => processAuthServerMetadata(body, [issuer], asmUrl, strict))).toEqual({ code, message });
  });

  it('no PKCE methods listed, with --assume-pkce (or for client credentials): accepted, and the absence recorded', () => {
    const as = processAuthServerMetadata({ ...valid, code_challenge_methods_supported: undefined }, [issuer], asmUrl, { allowHttp: false, assumePkce: true });
    expect(as.codeChallengeMethods).toBeUndefined();
    expect(as.tokenEndpoint.href).toBe('https://as.example.com/token');
  });

  it('http endpoints on loopback, or off it with --allow-http, are accepted', () => {
    expect(processAuthServerMetadata({ ...valid, token_endpoint: 'http://127.0.0.1:9/token' }, [issuer], asmUrl, strict).tokenEndpoint.href).toBe(
      'http://127.0.0.1:9/token',
    );
    const allowed = processAuthServerMetadata({ ...valid, token_endpoint: 'http://as.example.com/token' }, [issuer], asmUrl, {
      allowHttp: true,
      assumePkce: false,
    });
    expect(allowed.tokenEndpoint.href).toBe('http://as.example.com/token');
  });

  it('an optional endpoint that fails its check is dropped, not fatal', () => {
    const as = processAuthServerMetadata(
      {
        ...valid,
        registration_endpoint: 'javascript:alert(1)',
        device_authorization_endpoint: 'https://as.example.com/device',
        grant_types_supported: ['authorization_code'],
      },
      [issuer],
      asmUrl,
      strict,
    );
    expect(as.registrationEndpoint).toBeUndefined();
    expect(as.deviceAuthorizationEndpoint?.href).toBe('https://as.example.com/device');
    expect(as.grantTypes).toEqual(['authorization_code']);
    expect(as.codeChallengeMethods).toEqual(['S256']);
    expect(as.defaults).toBe(false);
  });
});

describe('parseTokenResponse (OAuth 2.1 §3.2.3, RFC 6749 §5.1–5.2)', () => {
  const endpoint = new URL('https://as.example.com/token');
  const ok = (body: Record<string, unknown>) => ({ status: 200, body, problem: undefined });
  const W = 'the token response';

  it.each<[string, { status: number; body: Record<string, unknown> | undefined; problem: string | undefined }, string]>([
    [
      'an OAuth error',
      { status: 400, body: { error: 'invalid_grant', error_description: 'expired' }, problem: undefined },
      'the token endpoint refused the request (invalid_grant: expired)',
    ],
    [
      'a status without an OAuth error',
      { status: 502, body: undefined, problem: 'the answer is an HTML page' },
      'the token endpoint https://as.example.com/token answered 502 and the answer is an HTML page',
    ],
    [
      '200 without JSON',
      { status: 200, body: undefined, problem: 'the answer is an HTML page' },
      'the token endpoint answered 200 but the answer is an HTML page',
    ],
    ['no access_token', ok({ token_type: 'Bearer' }), `"access_token" in ${W} is missing`],
    ['no token_type', ok({ access_token: 'a' }), `"token_type" in ${W} is missing`],
    ['a token_type other than Bearer', ok({ access_token: 'a', token_type: 'MAC' }), `"token_type" in ${W} is MAC, but Bearer was asked for`],
    ['a negative expires_in', ok({ access_token: 'a', token_type: 'bearer', expires_in: -1 }), `"expires_in" in ${W} must be a number of seconds`],
    [
      'an expires_in that is no number',
      ok({ access_token: 'a', token_type: 'bearer', expires_in: 'soon' }),
      `"expires_in" in ${W} must be a number of seconds`,
    ],
    ['an empty refresh_token', ok({ access_token: 'a', token_type: 'Bearer', refresh_token: '' }), `"refresh_token" in ${W} must be a string`],
    ['a scope that is no string', ok({ access_token: 'a', token_type: 'Bearer', scope: ['a'] }), `"scope" in ${W} must be a string`],
  ])('%s: AUTH_TOKEN', (_name, answer, message) => {
    expect(thrown(() => parseTokenResponse(answer, endpoint))).toEqual({ code: 'AUTH_TOKEN', message });
  });

  it('a valid answer: token_type compared case-insensitively, expires_in as a string accepted', () => {
    const tokens = parseTokenResponse(ok({ access_token: 'a', token_type: 'bEaReR', expires_in: '60', refresh_token: 'r', scope: 'read' }), endpoint);
    expect(tokens).toMatchObject({ accessToken: 'a', refreshToken: 'r', scope: 'read' });
    expect(tokens.expiresAt).toBeTypeOf('number');
  });
});
