/**
 * The JWT bearer authorization grant (RFC 7523 §2.1): a JWT someone else issued (a workload's
 * platform token, or an ID-JAG from the enterprise IdP) exchanged for an access token at the MCP
 * server's authorization server. Through tokenRequest, the one client-authentication path.
 * A refused assertion is an error naming the claim the AS objected to, where it says; there is
 * never a fallback to another grant (the workload identity profile, SEP-1933).
 */
import { readFile } from 'node:fs/promises';
import type { AssertionSource } from '../config-assertion.js';
import { ProxyError, isProxyError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { addSecret, log } from '../log.js';
import { tokenRequest, type ClientAuth } from './token-endpoint.js';
import type { StoredTokens } from './token-store.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The MCP server's authorization server, as far as an assertion grant needs it. */
export interface GrantTarget {
  issuer: string;
  tokenEndpoint: URL;
}

/** A grant that needs no browser at the MCP server's AS: tokens for `request`, as `client`. */
export interface AssertionGrant {
  /** How the tokens it obtains are marked in the store (a run of another kind does not use them). */
  readonly kind: 'jwt-bearer' | 'id-jag';
  /** True while a user must act (the IdP sign-in), so the bridge answers the host meanwhile. */
  readonly waitingForUser?: boolean;
  token(as: GrantTarget, client: ClientAuth, request: { scope: string | undefined; resource: string | undefined }): Promise<StoredTokens>;
}

/**
 * RFC 7523 §2.1 at `as`: `assertion` for tokens. `what` names the assertion in errors (never its
 * value). An invalid_grant becomes AUTH_ASSERTION_REJECTED naming the claim, when the AS says.
 */
export async function jwtBearerToken(
  http: HttpClient,
  as: GrantTarget,
  client: ClientAuth,
  assertion: string,
  request: { scope: string | undefined; resource: string | undefined },
  what: string,
): Promise<StoredTokens> {
  try {
    return await tokenRequest(http, as.tokenEndpoint, client, { grant_type: JWT_BEARER_GRANT, assertion, scope: request.scope, resource: request.resource });
  } catch (error) {
    if (!isProxyError(error, 'AUTH_TOKEN') || error.oauthError !== 'invalid_grant') throw error;
    // The description is inside the message (oauth-error.ts words it); read only for wording.
    const description = /invalid_grant: (.*)\)$/s.exec(error.message)?.[1];
    const claim = description === undefined ? undefined : objectedClaim(description);
    const why = claim
      ? `it objected to the "${claim}" claim (${description})`
      : `invalid_grant${description ? `: ${description}` : ''}; it did not say which claim`;
    throw new ProxyError('AUTH_ASSERTION_REJECTED', `the authorization server ${as.issuer} refused ${what}: ${why}`, {
      status: error.status,
      oauthError: 'invalid_grant',
      cause: error,
    });
  }
}

const REGISTERED_CLAIMS = ['aud', 'iss', 'sub', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'resource', 'scope', 'typ'];

/** The claim an error_description names: `claim "aud"`, `"aud" claim`, `aud claim`, else a registered claim name alone. */
export function objectedClaim(description: string): string | undefined {
  const named =
    /\bclaim\s+"([A-Za-z_][\w-]*)"/i.exec(description) ??
    /"([A-Za-z_][\w-]*)"\s+claim\b/i.exec(description) ??
    /\b([A-Za-z_][\w-]*)\s+claim\b/i.exec(description);
  if (named?.[1] && !['the', 'a', 'an', 'unexpected', 'invalid', 'missing'].includes(named[1].toLowerCase())) return named[1];
  return REGISTERED_CLAIMS.find((c) => new RegExp(`(^|[^\\w])"?${c}"?([^\\w]|$)`).test(description));
}

/**
 * The workload identity grant (--grant jwt-bearer): the assertion is read for each token request
 * (platforms rotate the file, e.g. a Kubernetes projected service-account token every hour).
 */
export function workloadGrant(http: HttpClient, source: AssertionSource): AssertionGrant {
  const what = 'file' in source ? `the workload assertion in ${source.file} (--assertion-file)` : `the workload assertion in $${source.env} (--assertion-env)`;
  return {
    kind: 'jwt-bearer',
    async token(as, client, request) {
      const assertion = await readAssertion(source);
      log.info(`presenting ${what} to ${as.issuer} (RFC 7523 JWT bearer grant); scope ${request.scope ?? '(none)'}`);
      return jwtBearerToken(http, as, client, assertion, request, what);
    },
  };
}

async function readAssertion(source: AssertionSource): Promise<string> {
  let text: string;
  if ('file' in source) {
    try {
      text = await readFile(source.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
      throw new ProxyError(
        'AUTH_ASSERTION_UNREADABLE',
        `cannot read the workload assertion --assertion-file ${source.file} (${why}); is the platform token mounted there?`,
      );
    }
  } else text = source.value;
  const assertion = text.trim();
  addSecret(assertion);
  // RFC 7519 §7.2: a JWS compact serialization has three base64url parts; say so before the AS does.
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(assertion)) {
    const where = 'file' in source ? `--assertion-file ${source.file}` : `--assertion-env ${source.env}`;
    throw new ProxyError(
      'AUTH_ASSERTION_UNREADABLE',
      `${where} does not hold a JWT (expected three base64url parts separated by dots)${assertion === '' ? ': it is empty' : ''}`,
    );
  }
  return assertion;
}
