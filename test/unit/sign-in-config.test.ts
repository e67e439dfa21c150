// config-sign-in.ts: the provider options, checked at the boundary with errors naming the flag.
import { describe, expect, it } from 'vitest';
import { authorizeParamsKey, buildSignIn, credentialsKey, parseAuthorizeParams } from '../../src/config-sign-in.js';
import { buildConfig } from '../../src/config.js';

const U = 'https://example.com/mcp';

describe('--authorize-param', () => {
  it('collects key=value pairs; values may hold = and be empty', () => {
    expect(parseAuthorizeParams(['access_type=offline', 'prompt=consent', 'audience=https://api.example.com/?a=b', 'login_hint='])).toEqual({
      access_type: 'offline',
      prompt: 'consent',
      audience: 'https://api.example.com/?a=b',
      login_hint: '',
    });
  });

  it.each(['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'resource'])(
    'refuses the flow-owned %s',
    (key) => {
      expect(() => parseAuthorizeParams([`${key}=x`])).toThrow(new RegExp(`cannot set "${key}"`));
    },
  );

  it('refuses a value without a key', () => {
    expect(() => parseAuthorizeParams(['offline'])).toThrow(/key=value/);
    expect(() => parseAuthorizeParams(['=x'])).toThrow(/key=value/);
  });

  it('is part of the storage key, independent of order', () => {
    expect(authorizeParamsKey({ b: '2', a: '1' })).toBe(authorizeParamsKey({ a: '1', b: '2' }));
    expect(authorizeParamsKey({ audience: 'x' })).not.toBe(authorizeParamsKey({ audience: 'y' }));
    expect(authorizeParamsKey({})).toBeUndefined();
  });

  it('the credentials key: the plain URL without either; an explicit --resource (tenants) keys apart too', () => {
    expect(credentialsKey(U, {})).toBe(U);
    expect(credentialsKey(U, {}, false)).toBe(U);
    expect(credentialsKey(U, {}, 'https://tenant1.atlassian.net/')).not.toBe(credentialsKey(U, {}, 'https://tenant2.atlassian.net/'));
    expect(credentialsKey(U, { audience: 'a' }, 'https://t.example/')).toBe(`${U}#audience=a;resource=https%3A%2F%2Ft.example%2F`);
  });
});

describe('the callback, the success page, registration metadata', () => {
  it('defaults to http://127.0.0.1:<port>/callback', () => {
    const s = buildSignIn({}, {}, false);
    expect([s.callbackHost, s.callbackPath]).toEqual(['127.0.0.1', '/callback']);
  });

  it('takes localhost and [::1], refuses other hosts', () => {
    expect(buildSignIn({ callbackHost: 'localhost' }, {}, false).callbackHost).toBe('localhost');
    expect(buildSignIn({ callbackHost: '::1' }, {}, false).callbackHost).toBe('[::1]');
    expect(() => buildSignIn({ callbackHost: 'example.com' }, {}, false)).toThrow(/--callback-host/);
  });

  it('refuses a callback path with a query', () => {
    expect(() => buildSignIn({ callbackPath: '/cb?x=1' }, {}, false)).toThrow(/--callback-path/);
    expect(() => buildSignIn({ callbackPath: 'cb' }, {}, false)).toThrow(/--callback-path/);
  });

  it('wants an https success page (or loopback http)', () => {
    expect(buildSignIn({ authSuccessUrl: 'http://127.0.0.1:3000/done' }, {}, false).authSuccessUrl).toBe('http://127.0.0.1:3000/done');
    expect(() => buildSignIn({ authSuccessUrl: 'http://example.com/done' }, {}, false)).toThrow(/--auth-success-url/);
  });

  it('merges --client-name over the static metadata, validating fields', () => {
    expect(
      buildSignIn({ clientName: 'Mine', staticOauthClientMetadata: '{"logo_uri":"https://x.example/l.png","client_name":"Theirs"}' }, {}, false)
        .registrationMetadata,
    ).toEqual({
      logo_uri: 'https://x.example/l.png',
      client_name: 'Mine',
    });
    expect(() => buildSignIn({ staticOauthClientMetadata: '{"redirect_uris":["http://x"]}' }, {}, false)).toThrow(/cannot set "redirect_uris"/);
    expect(() => buildSignIn({ staticOauthClientMetadata: '{"logo_uri":"http://x"}' }, {}, false)).toThrow(/"logo_uri" must be an https URL/);
    expect(() => buildSignIn({ staticOauthClientMetadata: '{"token_endpoint_auth_method":"magic"}' }, {}, false)).toThrow(/token_endpoint_auth_method/);
    expect(() => buildSignIn({ staticOauthClientMetadata: '[1]' }, {}, false)).toThrow(/JSON object/);
    expect(() => buildSignIn({ staticOauthClientMetadata: '{nope' }, {}, false)).toThrow(/not valid JSON/);
  });

  it('--token-endpoint needs client credentials', () => {
    expect(() => buildSignIn({ tokenEndpoint: 'https://a.example/token' }, {}, false)).toThrow(/--grant client_credentials/);
    expect(buildSignIn({ tokenEndpoint: 'https://a.example/token', grant: 'client_credentials' }, {}, false).tokenEndpoint).toBe('https://a.example/token');
  });
});

describe('--static-oauth-client-info', () => {
  it('is --client-id / --client-secret, ${VAR} expanded, the secret redacted', () => {
    const config = buildConfig(U, { staticOauthClientInfo: '{"client_id":"${ID}","client_secret":"${SECRET}"}' }, { ID: 'my-id', SECRET: 'shh' });
    expect(config.oauth.clientId).toBe('my-id');
    expect(config.oauth.clientSecret).toBe('shh');
    expect(config.secrets).toContain('shh');
  });

  it('names a missing variable and a missing client_id', () => {
    expect(() => buildConfig(U, { staticOauthClientInfo: '{"client_id":"${NOPE}"}' }, {})).toThrow(/NOPE/);
    expect(() => buildConfig(U, { staticOauthClientInfo: '{"client_secret":"x"}' }, {})).toThrow(/needs "client_id"/);
  });
});

describe('connection options', () => {
  it('cookies on by default; --no-cookies off; the undici timeouts off unless given (0 = off)', () => {
    expect(buildConfig(U, {}, {}).cookies).toBe(true);
    expect(buildConfig(U, { cookies: false }, {}).cookies).toBe(false);
    const n = buildConfig(U, { headersTimeout: '60', bodyTimeout: '0' }, {}).network;
    expect([n.headersTimeoutMs, n.bodyTimeoutMs]).toEqual([60_000, 0]);
    expect(buildConfig(U, {}, {}).network.bodyTimeoutMs).toBe(0);
    expect(() => buildConfig(U, { bodyTimeout: 'soon' }, {})).toThrow(/--body-timeout/);
  });
});
