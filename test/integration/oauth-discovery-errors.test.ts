// Metadata the proxy must refuse before any browser opens: the host's pending request gets a
// JSON-RPC error whose data.code says which step failed and whose message names the problem.
import { describe, expect, it, vi } from 'vitest';
import { resultOf, spawnProxy } from '../fixtures/cli.js';
import { startFakeAuthServer, type FakeAuthServer, type FakeAuthServerOptions } from '../fixtures/fake-auth-server.js';
import { failedSignIn, oauthHarness, type FailedSignIn, type OAuthHarness } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 20_000 });

/** Fake AS configured by `options(origin)`, CLI with a 5 s --auth-timeout, initialize → error. */
async function refused(
  options: (fake: FakeAuthServer) => Partial<FakeAuthServerOptions>,
  extra: string[] = [],
): Promise<FailedSignIn & { fake: FakeAuthServer; h: OAuthHarness }> {
  const fake = await startFakeAuthServer();
  fake.set(options(fake));
  const h = oauthHarness({ authTimeout: 5 });
  const failed = await failedSignIn(fake.url, h, extra);
  expect(failed.error.code).toBe(-32000);
  expect(failed.proxy.running).toBe(true);
  // Refused before the browser: nothing was opened, registered or exchanged.
  expect(h.visits()).toEqual([]);
  expect(fake.tokenRequests).toEqual([]);
  return { ...failed, fake, h };
}

describe('authorization server metadata', () => {
  it.each<{ name: string; issuer: (f: FakeAuthServer) => string }>([
    { name: 'another issuer', issuer: () => 'http://127.0.0.1:1' },
    { name: 'the issuer with a trailing slash added (no normalisation)', issuer: (f) => `${f.issuer}/` },
    { name: 'the issuer in upper case (no normalisation)', issuer: (f) => f.issuer.toUpperCase() },
  ])('metadata "issuer" is $name: AUTH_DISCOVERY naming the issuer mismatch', async ({ issuer }) => {
    const { error, fake } = await refused((f) => ({ metadata: { issuer: issuer(f) } }));
    expect(error.data?.code).toBe('AUTH_DISCOVERY');
    expect(error.message).toMatch(/"issuer".*does not match/);
    expect(error.message).toContain(fake.issuer);
    expect(fake.registrations).toEqual([]);
  });

  it('code_challenge_methods_supported without S256: AUTH_PKCE_UNSUPPORTED naming S256', async () => {
    const { error } = await refused(() => ({ metadata: { code_challenge_methods_supported: ['plain'] } }));
    expect(error.data?.code).toBe('AUTH_PKCE_UNSUPPORTED');
    expect(error.message).toMatch(/code_challenge_methods_supported.*S256/);
  });

  it('code_challenge_methods_supported absent: AUTH_PKCE_UNSUPPORTED naming --assume-pkce', async () => {
    const { error } = await refused(() => ({ metadata: { code_challenge_methods_supported: null } }));
    expect(error.data?.code).toBe('AUTH_PKCE_UNSUPPORTED');
    expect(error.message).toContain('--assume-pkce');
  });

  it('code_challenge_methods_supported absent with --assume-pkce: signs in, still with S256', async () => {
    const fake = await startFakeAuthServer({ metadata: { code_challenge_methods_supported: null } });
    const h = oauthHarness();
    const proxy = spawnProxy([fake.url, ...h.args(['--assume-pkce'])], { env: h.env() });
    resultOf(await proxy.initialize());
    expect(fake.authorizeRequests[0]!.get('code_challenge_method')).toBe('S256');
  });

  it.each<{ name: string; field: string; value: string; message: RegExp }>([
    {
      name: 'a javascript: authorization endpoint',
      field: 'authorization_endpoint',
      value: 'javascript:alert(document.cookie)',
      message: /"authorization_endpoint".*javascript:/,
    },
    { name: 'a file: authorization endpoint', field: 'authorization_endpoint', value: 'file:///etc/passwd', message: /"authorization_endpoint".*file:/ },
    { name: 'a file: token endpoint', field: 'token_endpoint', value: 'file:///tmp/token', message: /"token_endpoint".*file:/ },
    {
      name: 'an http authorization endpoint on a non-loopback host',
      field: 'authorization_endpoint',
      value: 'http://auth.example.com/authorize',
      message: /"authorization_endpoint".*http:\/\/ on auth\.example\.com.*--allow-http/,
    },
    {
      name: 'an http token endpoint on a non-loopback host',
      field: 'token_endpoint',
      value: 'http://auth.example.com/token',
      message: /"token_endpoint".*http:\/\/ on auth\.example\.com.*--allow-http/,
    },
  ])('$name: AUTH_DISCOVERY, never opened', async ({ field, value, message }) => {
    const { error } = await refused(() => ({ metadata: { [field]: value } }));
    expect(error.data?.code).toBe('AUTH_DISCOVERY');
    expect(error.message).toMatch(message);
  });
});

describe('protected resource metadata', () => {
  it.each<{ name: string; resource: (f: FakeAuthServer) => string }>([
    { name: 'another origin', resource: () => 'http://127.0.0.1:1/mcp' },
    { name: 'a sibling path', resource: (f) => `${f.origin}/other` },
    { name: 'a longer path than the server URL', resource: (f) => `${f.origin}/mcp/deeper` },
    { name: 'a path that only shares a string prefix', resource: (f) => `${f.origin}/mc` },
  ])('"resource" naming $name: AUTH_DISCOVERY naming the mismatch', async ({ resource }) => {
    const { error, fake } = await refused((f) => ({ prm: { resource: resource(f) } }));
    expect(error.data?.code).toBe('AUTH_DISCOVERY');
    expect(error.message).toMatch(/"resource" in protected resource metadata .*does not match the server URL/);
    expect(fake.log.entries.some((e) => e.path.includes('oauth-authorization-server'))).toBe(false);
  });

  it('"resource" a path prefix of the server URL is accepted and sent exactly as published', async () => {
    const fake = await startFakeAuthServer();
    const published = `${fake.origin}/`;
    fake.set({ prm: { resource: published } });
    const h = oauthHarness();
    const proxy = spawnProxy([fake.url, ...h.args()], { env: h.env() });
    resultOf(await proxy.initialize());
    expect(fake.authorizeRequests[0]!.get('resource')).toBe(published);
    expect(fake.tokenRequests[0]!.get('resource')).toBe(published);
  });

  it('an http authorization server on a non-loopback host: AUTH_DISCOVERY naming --allow-http', async () => {
    const { error } = await refused(() => ({ prm: { authorization_servers: ['http://as.example.com'] } }));
    expect(error.data?.code).toBe('AUTH_DISCOVERY');
    expect(error.message).toMatch(/http:\/\/ on as\.example\.com.*--allow-http/);
  });
});

describe('client registration', () => {
  it('registration refused: AUTH_REGISTRATION naming --client-id', async () => {
    const { error, fake } = await refused(() => ({ registration: 'reject' }));
    expect(error.data?.code).toBe('AUTH_REGISTRATION');
    expect(error.message).toMatch(/refused the client registration \(invalid_client_metadata/);
    expect(error.message).toContain('--client-id');
    expect(fake.registrations).toHaveLength(1);
  });

  it('no registration endpoint and no --client-id: AUTH_REGISTRATION naming --client-id', async () => {
    const { error } = await refused(() => ({ metadata: { registration_endpoint: null } }));
    expect(error.data?.code).toBe('AUTH_REGISTRATION');
    expect(error.message).toMatch(/does not offer dynamic client registration/);
    expect(error.message).toContain('--client-id');
  });
});
