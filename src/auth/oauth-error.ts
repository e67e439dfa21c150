/**
 * Refusals from OAuth endpoints, read in one place: the status is checked here, and the error
 * response (RFC 6749 §5.2, which registration (RFC 7591 §3.2.2), revocation (RFC 7009 §2.2.1) and
 * device authorization (RFC 8628 §3.2) reuse) becomes a ProxyError carrying its `error` code.
 */
import { ProxyError, type ProxyErrorCode } from '../errors.js';
import type { JsonAnswer, JsonObject } from './oauth-request.js';

export interface OAuthErrorBody {
  /** `error`: the code callers branch on (invalid_grant, authorization_pending, …). */
  error: string;
  /** `error_description`, cut short: it is shown to the user. */
  description: string | undefined;
  /** `error_uri`, when it is an absolute http(s) URL. */
  uri: string | undefined;
}

/** What a refused request came back with, for the endpoint's own wording. */
export interface Refusal {
  status: number;
  oauth: OAuthErrorBody | undefined;
  /** Why the body is not a JSON object, when it is not. */
  problem: string | undefined;
}

const MAX_DESCRIPTION = 300;

/** The RFC 6749 §5.2 fields of a body, or undefined when it has no `error` code. */
export function readOAuthError(body: JsonObject | undefined): OAuthErrorBody | undefined {
  const error = body?.['error'];
  if (typeof error !== 'string') return undefined;
  const description = body?.['error_description'];
  const uri = body?.['error_uri'];
  return {
    error,
    description: typeof description === 'string' ? description.slice(0, MAX_DESCRIPTION) : undefined,
    uri: typeof uri === 'string' && /^https?:\/\//i.test(uri) && URL.canParse(uri) ? uri : undefined,
  };
}

/** `error: description`, for a message. */
export function oauthErrorText(oauth: OAuthErrorBody): string {
  return `${oauth.error}${oauth.description !== undefined ? `: ${oauth.description}` : ''}`;
}

/**
 * The answer, when its status is one of `accepted`; otherwise throws a ProxyError with `code`,
 * the status and the OAuth `error`, worded by `refused` for this endpoint.
 */
export function acceptedAnswer(answer: JsonAnswer, accepted: readonly number[], code: ProxyErrorCode, refused: (refusal: Refusal) => string): JsonAnswer {
  if (accepted.includes(answer.status)) return answer;
  const oauth = readOAuthError(answer.body);
  const message = refused({ status: answer.status, oauth, problem: answer.problem });
  throw new ProxyError(code, message, { status: answer.status, ...(oauth ? { oauthError: oauth.error } : {}) });
}
