/**
 * DPoP for one MCP server in this process (RFC 9449): the key of the stored tokens (loaded from
 * the store once, see dpop-key.ts), the key of a sign-in in progress, and the latest server nonce
 * per origin (§8 at the authorization server, §9 at the resource server), put in every later proof.
 * A nonce challenge is answered by one retry with the nonce; a second one in a row (the retry
 * carried the nonce just handed out, and nothing succeeded since) is an error, not a loop.
 */
import type { DpopChoice } from '../config-defaults.js';
import { ProxyError } from '../errors.js';
import type { Challenge, OutgoingRequest } from '../http/authorizer.js';
import { log } from '../log.js';
import { bearerHeaders } from './bearer.js';
import type { AuthServerMetadata, ProtectedResource } from './discovery.js';
import { generateDpopKey, loadDpopKey, storedDpopKey, type DpopKey } from './dpop-key.js';
import { createProof, proofNonce } from './dpop-proof.js';
import { challengedNonce, chooseBinding, dpopHeaders } from './dpop-scheme.js';
import type { JsonAnswer } from './oauth-request.js';
import type { ClientAuth } from './token-endpoint.js';
import type { ServerRecord, TokenStore } from './token-store.js';

/** Signs proofs with one key, with the latest nonce of the target's origin. */
export interface DpopSigner {
  readonly key: DpopKey;
  proof(method: string, url: URL, accessToken?: string): string;
  /** A DPoP-Nonce header the server at `url` sent. */
  nonce(url: URL, value: string | undefined): void;
}

/**
 * A token request with a proof (RFC 9449 §5); the AS's `use_dpop_nonce` (§8) is answered by one
 * retry with a fresh proof carrying its nonce. A second demand is an error (AUTH_DPOP), so that a
 * refresh is never mistaken for a dead refresh token.
 */
export async function dpopTokenRequest(
  signer: DpopSigner,
  tokenEndpoint: URL,
  send: (headers: Record<string, string>) => Promise<JsonAnswer>,
): Promise<JsonAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await send({ dpop: signer.proof('POST', tokenEndpoint) });
    signer.nonce(tokenEndpoint, answer.dpopNonce);
    if (answer.status !== 400 || answer.body?.['error'] !== 'use_dpop_nonce' || !answer.dpopNonce) return answer;
    if (attempt > 0)
      throw new ProxyError(
        'AUTH_DPOP',
        `the token endpoint ${tokenEndpoint.origin} demanded a new DPoP nonce again after the retry with its nonce (RFC 9449 §8); giving up`,
        { status: 400, oauthError: 'use_dpop_nonce' },
      );
    log.info('the authorization server asks for a DPoP nonce (RFC 9449 §8); retrying with it');
  }
}

export class DpopSession {
  private readonly nonces = new Map<string, { value: string; challenged: boolean }>();
  /** The key of the stored tokens, once loaded. */
  private current: DpopKey | undefined;
  /** The key of the sign-in in progress (undefined: Bearer). */
  private pending: DpopKey | undefined;

  constructor(private readonly store: TokenStore) {}

  signer(key: DpopKey): DpopSigner {
    return {
      key,
      proof: (method, url, accessToken) => createProof(key, { method, url, accessToken, nonce: this.nonces.get(url.origin)?.value }),
      nonce: (url, value) => {
        if (value) this.nonces.set(url.origin, { value, challenged: false });
      },
    };
  }

  /** At a sign-in: DPoP or Bearer, and if DPoP, a new key (RFC 9449 §2: a new sign-in replaces it). */
  begin(choice: DpopChoice, as: AuthServerMetadata, prm: ProtectedResource | undefined, dpopOnly = false): void {
    const alg = chooseBinding(choice, as, prm, dpopOnly);
    this.pending = alg === undefined ? undefined : generateDpopKey(alg);
    if (this.pending) log.info(`asking for DPoP-bound tokens (RFC 9449, ${alg}, key ${this.pending.thumbprint})`);
  }

  /** The sign-in's client authentication, with proofs when its tokens are to be bound. */
  attach(auth: ClientAuth): ClientAuth {
    return this.pending ? { ...auth, dpop: this.signer(this.pending) } : auth;
  }

  /** After a sign-in: its key is stored (before the record that names it) and named in the record. */
  async keep(record: ServerRecord): Promise<ServerRecord> {
    const key = this.pending;
    this.pending = undefined;
    if (!key) {
      await this.store.deleteDpopKey(record.server, record.issuer);
      return { ...record, dpop: undefined };
    }
    await this.store.writeDpopKey(record.server, record.issuer, storedDpopKey(key));
    this.current = key;
    return { ...record, dpop: { alg: key.alg, thumbprint: key.thumbprint } };
  }

  /** The key `record`'s tokens are bound to, or undefined (Bearer tokens, or the key file is gone). */
  async keyFor(record: ServerRecord): Promise<DpopKey | undefined> {
    if (!record.dpop) return undefined;
    if (this.current?.thumbprint === record.dpop.thumbprint) return this.current;
    const key = loadDpopKey(await this.store.readDpopKey(record.server, record.issuer));
    if (key?.thumbprint !== record.dpop.thumbprint) return undefined;
    this.current = key;
    return key;
  }

  /** Client authentication for renewing `record`'s tokens: with its key; undefined when that key is lost (sign in again). */
  async forRecord(auth: ClientAuth, record: ServerRecord): Promise<ClientAuth | undefined> {
    if (!record.dpop) return auth;
    const key = await this.keyFor(record);
    if (!key) log.warn('the DPoP key the stored tokens are bound to is missing; signing in again');
    return key ? { ...auth, dpop: this.signer(key) } : undefined;
  }

  /** The credentials a request to the MCP server carries. */
  async headers(record: ServerRecord | undefined, request: OutgoingRequest): Promise<Record<string, string>> {
    const token = record?.tokens?.accessToken;
    if (!record?.dpop || token === undefined) return bearerHeaders(token);
    const key = await this.keyFor(record);
    return dpopHeaders(key && this.signer(key), token, request);
  }

  /**
   * A resource server's `use_dpop_nonce` (RFC 9449 §9): true when the request is to be retried
   * with the nonce; throws when the refused proof already carried the nonce the last challenge
   * handed out (no success since): a server that refuses its own nonce would loop.
   */
  nonceChallenge(challenge: Challenge): boolean {
    const nonce = challengedNonce(challenge);
    if (nonce === undefined) return false;
    const origin = challenge.url.origin;
    const held = this.nonces.get(origin);
    const sent = proofNonce(challenge.sentProof);
    if (sent !== undefined && held?.challenged && held.value === sent) {
      throw new ProxyError(
        'AUTH_DPOP',
        `${origin} asked for a new DPoP nonce again right after the retry with its nonce (RFC 9449 §9); giving up rather than looping`,
        { status: 401 },
      );
    }
    this.nonces.set(origin, { value: nonce, challenged: true });
    log.debug(`${origin} asks for a DPoP nonce; retrying with it`);
    return true;
  }

  /** An answer that was not refused: its nonce, if any, is the latest; a challenged nonce has worked. */
  answered(url: URL, nonce: string | undefined): void {
    const held = this.nonces.get(url.origin);
    if (nonce) this.nonces.set(url.origin, { value: nonce, challenged: false });
    else if (held) held.challenged = false;
  }
}
