/**
 * The loopback redirect target (RFC 8252 §7.3, §8.3): listens on 127.0.0.1 before the browser
 * opens, accepts exactly one authorization response carrying our `state`, checks `iss`
 * (RFC 9207), and tells the browser "signed in" only after the token exchange succeeded.
 * A response can also be delivered by hand (deliver(): the redirected URL pasted on the terminal
 * when the browser runs elsewhere); it goes through the very same checks and single use.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyError } from '../errors.js';
import { log, redact } from '../log.js';

export interface ExpectedResponse {
  state: string;
  /** The validated AS metadata `issuer`, recorded before redirecting. */
  issuer: string;
  /** AS metadata authorization_response_iss_parameter_supported. */
  issRequired: boolean;
}

export const CALLBACK_PATH = '/callback';

/** --callback-host, --callback-path, --auth-success-url (as in config-sign-in.ts SignInOptions). */
export interface CallbackOptions {
  callbackHost?: string | undefined;
  callbackPath?: string | undefined;
  authSuccessUrl?: string | undefined;
}

/**
 * The redirect URI of a callback listening on `port`: the IP literal by default, not "localhost"
 * (RFC 8252 §8.3); --callback-host localhost for clients pre-registered that way (the listener is
 * loopback either way).
 */
export function callbackUri(port: number, where: CallbackOptions = {}): string {
  return `http://${where.callbackHost ?? '127.0.0.1'}:${port}${where.callbackPath ?? CALLBACK_PATH}`;
}

/** What to tell whoever delivered a response (the browser as a page; the terminal as a line). */
export interface Reply {
  status: number;
  title: string;
  message: string;
}

export type ResponseVerdict =
  /** Not a response to our request (missing or wrong state): ignore it and keep waiting. */
  | { kind: 'foreign'; reply: Reply }
  /** Ours, and it ends the sign-in with this error. */
  | { kind: 'failed'; error: ProxyError; reply: Reply }
  | { kind: 'code'; code: string };

/**
 * The checks on an authorization response (OAuth 2.1 §4.1.2, RFC 9207), in order: `state`,
 * then `iss` (before anything else is read), then `error`, then `code`.
 */
export function checkAuthorizationResponse(p: URLSearchParams, expected: ExpectedResponse): ResponseVerdict {
  // OAuth 2.1 §7.12: a response without our state is not ours; ignore it and keep waiting
  // (ending the attempt would let any page that can reach the port cancel a sign-in).
  if (p.get('state') !== expected.state) {
    return {
      kind: 'foreign',
      reply: {
        status: 400,
        title: 'Sign-in not recognised',
        message: 'This response does not belong to the sign-in mcp-auth-proxy started (state mismatch). Close this tab and try again.',
      },
    };
  }
  // RFC 9207 §2.4 and MCP 2026-07-28: compare iss by exact string, before reading anything else.
  const iss = p.get('iss');
  if ((iss === null && expected.issRequired) || (iss !== null && iss !== expected.issuer)) {
    const reason =
      iss === null
        ? 'the response lacks the "iss" parameter the authorization server promised'
        : `the response names the issuer ${iss}, expected ${expected.issuer}`;
    return {
      kind: 'failed',
      error: new ProxyError('AUTH_CALLBACK', `sign-in refused: ${reason} (RFC 9207 mix-up protection)`),
      reply: {
        status: 400,
        title: 'Sign-in refused',
        message: 'The response came from an unexpected authorization server, so it was not used. Close this tab.',
      },
    };
  }
  const error = p.get('error');
  if (error !== null) {
    const description = p.get('error_description');
    const text = `${error}${description ? `: ${description.slice(0, 300)}` : ''}`;
    return {
      kind: 'failed',
      error: new ProxyError(
        error === 'access_denied' ? 'AUTH_DENIED' : 'AUTH_CALLBACK',
        `sign-in did not complete: the authorization server answered ${text}`,
        { oauthError: error },
      ),
      reply: { status: 400, title: 'Sign-in did not complete', message: `The authorization server answered: ${text}` },
    };
  }
  const code = p.get('code');
  if (!code) {
    return {
      kind: 'failed',
      error: new ProxyError('AUTH_CALLBACK', 'sign-in did not complete: the response carried no authorization code'),
      reply: { status: 400, title: 'Sign-in did not complete', message: 'The response carries no authorization code.' },
    };
  }
  return { kind: 'code', code };
}

type Receiver = (params: URLSearchParams, reply: (r: Reply) => void) => void;

export class CallbackServer {
  private receiver: Receiver | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly where: CallbackOptions,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!this.receiver) return page(res, 404, 'mcp-auth-proxy', 'No sign-in is waiting here.');
      if (url.pathname !== this.path) return page(res, 404, 'mcp-auth-proxy', 'Not found.');
      this.receiver(url.searchParams, (r) => {
        // --auth-success-url: a successful sign-in ends on the user's page instead of ours.
        if (r.status === 200 && where.authSuccessUrl !== undefined) {
          res.writeHead(303, { location: where.authSuccessUrl, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
          return res.end();
        }
        page(res, r.status, r.title, r.message);
      });
    });
  }

  private get path(): string {
    return this.where.callbackPath ?? CALLBACK_PATH;
  }

  /**
   * An authorization response that reached the user some other way (the URL of the redirect,
   * pasted): checked and used exactly as if the browser had brought it. `reply` is told the outcome.
   */
  deliver(params: URLSearchParams, reply: (r: Reply) => void): void {
    if (this.receiver) this.receiver(params, reply);
    else reply({ status: 409, title: 'Already handled', message: 'No sign-in is waiting for this response.' });
  }

  get redirectUri(): string {
    return callbackUri(this.port, this.where);
  }

  /**
   * Listens on 127.0.0.1. A pinned port that is taken is an error; a preferred one (the port a
   * stored registration names) falls back to a free port.
   */
  static async start(port: { pinned?: number | undefined; preferred?: number | undefined }, where: CallbackOptions = {}): Promise<CallbackServer> {
    const bind = where.callbackHost === '[::1]' ? '::1' : '127.0.0.1';
    const tryListen = (p: number): Promise<Server> =>
      new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(p, bind, () => {
          server.off('error', reject);
          resolve(server);
        });
      });
    let server: Server;
    try {
      server = await tryListen(port.pinned ?? port.preferred ?? 0);
    } catch (error) {
      if (port.pinned !== undefined) {
        throw new ProxyError(
          'AUTH_CALLBACK_PORT_TAKEN',
          `--callback-port ${port.pinned} is not free on ${bind} (${(error as NodeJS.ErrnoException).code}); close what uses it or pick another port`,
        );
      }
      server = await tryListen(0);
    }
    server.unref();
    return new CallbackServer(server, (server.address() as AddressInfo).port, where);
  }

  /**
   * Waits for the authorization response. `exchange` runs with the code while the browser waits,
   * so the page can tell the truth. Resolves when signed in; rejects on error, denial or abort.
   */
  wait(expected: ExpectedResponse, exchange: (code: string) => Promise<void>, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let accepted = false; // one code only; later hits get 409
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => finish(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return onAbort();

      // The reply is given before the outcome is settled: settling closes the listener.
      this.receiver = (p, reply) => {
        if (settled || accepted)
          return reply({ status: 409, title: 'Already handled', message: 'This sign-in was already completed or abandoned. You can close this tab.' });
        const verdict = checkAuthorizationResponse(p, expected);
        if (verdict.kind === 'foreign') {
          log.warn('ignored a sign-in response with a missing or wrong state');
          return reply(verdict.reply);
        }
        if (verdict.kind === 'failed') {
          reply(verdict.reply);
          return finish(verdict.error);
        }
        accepted = true;
        exchange(verdict.code).then(
          () => {
            reply({ status: 200, title: 'Signed in', message: 'mcp-auth-proxy is signed in. You can close this tab.' });
            finish();
          },
          (failure: unknown) => {
            reply({ status: 500, title: 'Sign-in failed', message: `The sign-in could not be completed: ${redact((failure as Error).message)}` });
            finish(failure);
          },
        );
      };
    });
  }

  async close(): Promise<void> {
    this.receiver = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto"><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(body);
}
