/**
 * The assertion half of the config (issue 12): workload identity (`--grant jwt-bearer` with
 * `--assertion-file` or `--assertion-env`, RFC 7523 §2.1) and enterprise-managed authorization
 * (`--idp` and its client, the Identity Assertion JWT Authorization Grant), each checked once here.
 * Assertion and ID token files are only named here: they are read when a token is requested
 * (platforms rotate them), never at start-up and never logged.
 */
import { ENV, type GrantChoice } from './config-defaults.js';
import type { RawOptions } from './config.js';
import { UsageError } from './errors.js';
import { userPath, type Env } from './option-values.js';

/** Where a workload's JWT comes from: a file read afresh for each token request, or a variable's value. */
export type AssertionSource = { readonly file: string } | { readonly env: string; readonly value: string };

/** The enterprise identity provider that signs the user in once for every MCP server (--idp). */
export interface IdpConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** --idp-id-token-file: an ID token the host or a script already holds (read when needed). */
  readonly idTokenFile: string | undefined;
}

export interface AssertionConfig {
  readonly assertion: AssertionSource | undefined;
  readonly idp: IdpConfig | undefined;
}

/** --assertion-*, --idp-*: validated against --grant; secrets (the env assertion, the IdP secret) go into `secrets`. */
export function buildAssertionConfig(raw: RawOptions, env: Env, grant: GrantChoice, secrets: string[]): AssertionConfig {
  return Object.freeze({ assertion: buildAssertionSource(raw, env, grant, secrets), idp: buildIdp(raw, env, grant, secrets) });
}

function buildAssertionSource(raw: RawOptions, env: Env, grant: GrantChoice, secrets: string[]): AssertionSource | undefined {
  const given = raw.assertionFile !== undefined ? '--assertion-file' : raw.assertionEnv !== undefined ? '--assertion-env' : undefined;
  if (grant !== 'jwt-bearer') {
    if (given) throw new UsageError('INVALID_OPTION', `${given} is for --grant jwt-bearer (workload identity); add --grant jwt-bearer or leave it out`);
    return undefined;
  }
  if (raw.assertionFile !== undefined && raw.assertionEnv !== undefined) {
    throw new UsageError('INVALID_OPTION', 'give the workload assertion once: --assertion-file and --assertion-env were both given');
  }
  // RFC 7523 §3.1 leaves client authentication optional, but the ID of the client the token is for is needed by every AS we know.
  if (raw.clientId === undefined)
    throw new UsageError('INVALID_OPTION', '--grant jwt-bearer needs --client-id (the client registered with the authorization server for this workload)');
  if (raw.assertionFile !== undefined) return Object.freeze({ file: userPath(raw.assertionFile, '--assertion-file', env) });
  const name = raw.assertionEnv?.trim();
  if (name === undefined) {
    throw new UsageError(
      'INVALID_OPTION',
      "--grant jwt-bearer needs the workload's JWT: --assertion-file <path> (e.g. a Kubernetes projected service-account token) or --assertion-env <VAR>",
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError('INVALID_OPTION', `--assertion-env takes the name of an environment variable (got "${name}")`);
  const value = env[name]?.trim();
  if (!value) throw new UsageError('MISSING_ENV', `--assertion-env ${name}: the variable is not set or empty`);
  secrets.push(value);
  return Object.freeze({ env: name, value });
}

function buildIdp(raw: RawOptions, env: Env, grant: GrantChoice, secrets: string[]): IdpConfig | undefined {
  const clientSecret = raw.idpClientSecret ?? env[ENV.idpClientSecret];
  if (raw.idp === undefined) {
    const stray =
      raw.idpClientId !== undefined
        ? '--idp-client-id'
        : raw.idpClientSecret !== undefined
          ? '--idp-client-secret'
          : raw.idpIdTokenFile !== undefined
            ? '--idp-id-token-file'
            : undefined;
    if (stray) throw new UsageError('INVALID_OPTION', `${stray} needs --idp <issuer> (the enterprise identity provider)`);
    return undefined;
  }
  if (grant !== 'authorization_code')
    throw new UsageError('INVALID_OPTION', `--idp signs a user in at the identity provider; it cannot be combined with --grant ${grant}`);
  let issuer: URL;
  try {
    issuer = new URL(raw.idp);
  } catch {
    throw new UsageError('INVALID_URL', `--idp must be the identity provider's issuer URL, e.g. https://login.example.com (got "${raw.idp}")`);
  }
  if (
    issuer.protocol !== 'https:' &&
    !(issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname)) &&
    raw.allowHttp !== true
  ) {
    throw new UsageError('INSECURE_URL', `--idp must be an https URL (got ${issuer.protocol}//); pass --allow-http if you accept the risk`);
  }
  if (raw.idpClientId === undefined) throw new UsageError('INVALID_OPTION', "--idp needs --idp-client-id (this application's client at the identity provider)");
  // The MCP server's authorization server must know which client the ID-JAG is for (its client_id claim).
  if (raw.clientId === undefined)
    throw new UsageError('INVALID_OPTION', "--idp needs --client-id (the client registered with the MCP server's authorization server)");
  if (clientSecret !== undefined) secrets.push(clientSecret);
  return Object.freeze({
    issuer: raw.idp,
    clientId: raw.idpClientId,
    clientSecret,
    idTokenFile: raw.idpIdTokenFile === undefined ? undefined : userPath(raw.idpIdTokenFile, '--idp-id-token-file', env),
  });
}
