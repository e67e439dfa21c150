// doctor reports what a proxy run would do because it asks the proxy's own functions, not copies
// of them. Each case here is one where doctor's own copy had drifted: the device grant reported
// usable where the proxy would not use it, PKCE demanded of a client_credentials client, and a
// stored registration reported as the client when the proxy would register again.
import { buildSignIn } from '../../src/config-sign-in.js';
import { describe, expect, it, vi } from 'vitest';
import { bearerChallenge, refusesAccess } from '../../src/auth/challenge.js';
import { deviceFlowSupported } from '../../src/auth/device.js';
import { processAuthServerMetadata, type AuthServerMetadata } from '../../src/auth/discovery.js';
import { identityFor } from '../../src/auth/registration.js';
import { discoveryOptions, grantKind, signInMethod } from '../../src/auth/sign-in-method.js';
import type { ClientRecord } from '../../src/auth/token-store.js';
import { describeAuthServer, type SignInSettings } from '../../src/commands/doctor-auth-server.js';
import { runCli } from '../fixtures/cli.js';
import { startFakeAuthServer } from '../fixtures/fake-auth-server.js';
import { tempDir } from '../fixtures/oauth-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const issuer = 'https://as.example.com';
const metadataUrl = new URL(`${issuer}/.well-known/oauth-authorization-server`);
const base = {
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  registration_endpoint: `${issuer}/register`,
  code_challenge_methods_supported: ['S256'],
};
const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

function metadata(extra: Record<string, unknown>, options = { allowHttp: false, assumePkce: false }): AuthServerMetadata {
  return processAuthServerMetadata({ ...base, ...extra }, [issuer], metadataUrl, options);
}

const user: SignInSettings = {
  grant: 'authorization_code',
  noBrowser: undefined,
  clientId: undefined,
  clientSecret: undefined,
  clientMetadataUrl: undefined,
  clientKey: undefined,
  callbackPort: undefined,
  assertion: undefined,
  idp: undefined,
  signIn: buildSignIn({}, {}, false),
};
const headless: SignInSettings = { ...user, noBrowser: 'there is no display' };

describe('the device grant: doctor says usable exactly when the proxy would use it', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['an endpoint, grant types not listed', { device_authorization_endpoint: `${issuer}/device` }, true],
    ['an endpoint, and the grant listed', { device_authorization_endpoint: `${issuer}/device`, grant_types_supported: ['authorization_code', DEVICE] }, true],
    // doctor used to say "yes" to these two: the grant is listed without an endpoint to ask, or
    // an endpoint is there but the grant types listed leave the device grant out.
    ['the grant listed, but no endpoint', { grant_types_supported: ['authorization_code', DEVICE] }, false],
    [
      'an endpoint, but the grant types leave it out',
      { device_authorization_endpoint: `${issuer}/device`, grant_types_supported: ['authorization_code'] },
      false,
    ],
    ['neither', {}, false],
  ])('%s', (_name, extra, usable) => {
    const as = metadata(extra);
    expect(deviceFlowSupported(as)).toBe(usable);
    expect(signInMethod(as, { kind: undefined, noBrowser: headless.noBrowser }).kind).toBe(usable ? 'device' : 'browser');
    const { ok, detail } = describeAuthServer(as, headless, undefined);
    expect(ok).toBe(true);
    expect(detail).toContain(`device authorization grant ${usable ? 'yes' : 'no'}`);
    expect(detail).toContain(
      usable
        ? 'signs in with the device authorization grant (no browser here: there is no display)'
        : 'prints the sign-in URL to open elsewhere (no browser here: there is no display)',
    );
    // Where a browser opens, the proxy never takes the device grant.
    expect(signInMethod(as, { kind: undefined, noBrowser: undefined }).kind).toBe('browser');
    expect(describeAuthServer(as, user, undefined).detail).toContain('signs in through the browser');
  });
});

describe('client credentials need no PKCE', () => {
  const m2m: SignInSettings = { ...user, grant: 'client_credentials', clientId: 'm2m', clientSecret: 's' };

  it("the run's discovery options accept metadata without code_challenge_methods_supported, and doctor reports it usable", () => {
    const options = discoveryOptions({ allowHttp: false, assumePkce: false, kind: grantKind(m2m) });
    expect(grantKind(m2m)).toBe('client_credentials');
    expect(options.assumePkce).toBe(true);
    const as = metadata({ code_challenge_methods_supported: undefined }, options);
    const outcome = describeAuthServer(as, m2m, undefined);
    expect(outcome.ok).toBe(true);
    expect(outcome.detail).toContain('PKCE S256 not advertised, not needed (client credentials)');
    expect(outcome.detail).toContain('signs in with client credentials (no user)');
    expect(outcome.detail).toContain('client m2m (--client-id)');
    // A user's sign-in still demands it.
    expect(() =>
      metadata({ code_challenge_methods_supported: undefined }, discoveryOptions({ allowHttp: false, assumePkce: false, kind: grantKind(user) })),
    ).toThrow(/--assume-pkce/);
  });

  it('doctor --grant client_credentials against such an authorization server: step 6 passes', async () => {
    const fake = await startFakeAuthServer({ metadata: { code_challenge_methods_supported: null } });
    const run = await runCli(
      [
        'doctor',
        fake.url,
        '--json',
        '--auth-dir',
        tempDir('mcp-auth-proxy-doctor-'),
        '--grant',
        'client_credentials',
        '--client-id',
        'm2m',
        '--client-secret',
        's3cret-m2m',
      ],
      {
        timeoutMs: 25_000,
      },
    );
    const steps = JSON.parse(run.stdout) as Array<{ step: string; ok: boolean | null; detail: string }>;
    const as = steps.find((s) => s.step === 'authorization-server')!;
    expect(as.ok, run.stdout).toBe(true);
    expect(as.detail).toContain('not needed (client credentials)');
    expect(run.stdout).not.toContain('s3cret-m2m');
  });
});

describe('the client identity: doctor names the client the proxy would use', () => {
  const stored = (extra: Partial<ClientRecord>): ClientRecord => ({
    issuer,
    clientId: 'dyn-1',
    clientSecret: undefined,
    clientSecretExpiresAt: undefined,
    tokenEndpointAuthMethod: 'none',
    redirectUri: 'http://127.0.0.1:4711/callback',
    grantTypes: ['authorization_code', 'refresh_token'],
    kind: 'dynamic',
    createdAt: 0,
    ...extra,
  });

  it.each<[string, SignInSettings, Record<string, unknown>, ClientRecord | undefined, string]>([
    ['--client-id first', { ...user, clientId: 'mine' }, {}, stored({}), 'client mine (--client-id)'],
    [
      'a client ID metadata document where the AS takes them',
      { ...user, clientMetadataUrl: 'https://app.example/client.json' },
      { client_id_metadata_document_supported: true },
      stored({}),
      'client ID metadata document https://app.example/client.json',
    ],
    ['the stored registration when it fits', user, {}, stored({}), 'registered client dyn-1 (dynamic)'],
    // doctor used to name these stored registrations as the client; the proxy registers anew.
    [
      'a stored registration whose secret has expired',
      user,
      {},
      stored({ clientSecret: 'x', clientSecretExpiresAt: 1 }),
      'registers itself at the first sign-in (dynamic registration)',
    ],
    [
      'a browser-only registration for a device sign-in',
      headless,
      { device_authorization_endpoint: `${issuer}/device` },
      stored({}),
      'registered client dyn-1 (dynamic), which does not fit this sign-in: the next sign-in registers again',
    ],
    ['nothing stored', user, {}, undefined, 'registers itself at the first sign-in (dynamic registration)'],
    [
      'a registration for another port than --callback-port',
      { ...user, callbackPort: 5000 },
      {},
      stored({}),
      'registered client dyn-1 (dynamic), which does not fit this sign-in: the next sign-in registers again',
    ],
    ['a registration for the --callback-port', { ...user, callbackPort: 4711 }, {}, stored({}), 'registered client dyn-1 (dynamic)'],
  ])('%s', (_name, settings, extra, client, said) => {
    const as = metadata(extra);
    const outcome = describeAuthServer(as, settings, client);
    expect(outcome.ok).toBe(true);
    expect(outcome.detail.endsWith(`; ${said}`), outcome.detail).toBe(true);
  });

  it("no way to identify itself: ✗ with the proxy's own reason", () => {
    const as = metadata({ registration_endpoint: undefined });
    expect(() => identityFor(as, user, { grant: 'authorization_code', redirectUri: 'http://127.0.0.1:1/callback' }, undefined)).toThrow(
      /does not offer dynamic client registration/,
    );
    const outcome = describeAuthServer(as, user, undefined);
    expect(outcome).toMatchObject({ ok: false, auth: true });
    expect(outcome.detail).toContain(`no way to identify itself: ${issuer} does not offer dynamic client registration`);
    expect(outcome.hint).toContain('--client-id');
  });
});

describe('a 403: doctor and the authorizer read it with one rule', () => {
  it.each<[string, string[], boolean]>([
    ['no challenge', [], true],
    ['invalid_token', ['Bearer error="invalid_token"'], true],
    ['insufficient_scope (a step-up)', ['Bearer error="insufficient_scope", scope="admin"'], false],
  ])('%s', (_name, wwwAuthenticate, refused) => {
    expect(refusesAccess(403, bearerChallenge(wwwAuthenticate))).toBe(refused);
    expect(refusesAccess(401, bearerChallenge(wwwAuthenticate))).toBe(false);
  });
});
