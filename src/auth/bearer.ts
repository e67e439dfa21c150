/**
 * The Bearer scheme (RFC 6750 §2.1): the access token in the Authorization request header. The
 * one place it is written; a sender-constrained scheme (DPoP, RFC 9449) would sit beside it.
 */
export function bearerHeaders(accessToken: string | undefined): Record<string, string> {
  return accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` };
}
