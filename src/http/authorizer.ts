/**
 * The interceptor every request to the MCP server passes through (see authorized-request.ts): it
 * sees the request and adds the headers its scheme needs (Bearer today: RFC 6750 §2.1), and it
 * sees a refusal (status, WWW-Authenticate, DPoP-Nonce) and decides whether a retry may succeed.
 * Transports know nothing else about auth.
 */

/** What an authorizer may look at in the request it adds credentials to. */
export interface OutgoingRequest {
  method: string;
  url: URL;
}

/** A 401 or 403 from the MCP server, as the authorizer needs it. */
export interface Challenge {
  status: number;
  /** The WWW-Authenticate header lines, as received. */
  wwwAuthenticate: string[];
  /** RFC 9449 §8-9: the DPoP-Nonce header, when the server sent one. */
  dpopNonce: string | undefined;
  method: string;
  url: URL;
  /** The Authorization value the refused request carried. */
  sent: string | undefined;
  /** The DPoP proof the refused request carried (RFC 9449 §4), if any. */
  sentProof?: string | undefined;
}

export interface Authorizer {
  /** The headers that carry credentials on this request (none when there are none). */
  headers(request: OutgoingRequest): Promise<Record<string, string>>;
  /**
   * Called when the MCP server answered 401 or 403. Resolves when a retry may succeed (new
   * credentials were obtained); throws a ProxyError saying what to do otherwise.
   */
  challenge(challenge: Challenge): Promise<void>;
  /** Told of every answer that was not a 401/403 (RFC 9449 §8.2, §9: a server may hand out its next DPoP nonce on any). */
  answered?(answer: { url: URL; dpopNonce: string | undefined }): void;
  /** True while the user is being waited for (a browser sign-in): request timeouts pause. */
  readonly waitingForUser?: boolean;
}
