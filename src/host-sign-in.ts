/**
 * Sign-in where the user is: inside the host. Hosts hide stderr, and give up on `initialize`
 * after some 30-60 s, while a first sign-in can take minutes. So while a sign-in waits for the
 * user, the host's pending initialize is answered by the proxy (at once when the host can show an
 * elicitation, else after PROVISIONAL_AFTER_MS), the user is asked in the host's UI to sign in
 * (URL-mode elicitation where the host supports it, MCP 2025-11-25), and the queued requests are
 * served once the server lets the proxy in. The server's real initialize answer then replaces the
 * provisional one through list_changed notifications, so the host lists again.
 */
import type { SignInNotice } from './auth/sign-in-notice.js';
import { isNotification, isRequest, isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from './jsonrpc.js';
import { log } from './log.js';
import { isOwnId, mintId } from './own-id.js';
import { VERSION } from './version.js';

// Well inside the 30-60 s after which hosts give up on initialize.
const PROVISIONAL_AFTER_MS = 20_000;

export interface HostSignInDeps {
  send(message: JsonRpcMessage): void;
  /** Answers a still-pending host request now; false when it is no longer pending. */
  answer(id: JsonRpcId, result: Record<string, unknown>): boolean;
  /** Whether the sign-in is still waiting for the user. */
  waiting(): boolean;
}

export class HostSignIn {
  private initialize: JsonRpcRequest | undefined;
  private answeredProvisionally = false;
  private initialized = false;
  private unsaid: SignInNotice | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: HostSignInDeps) {}

  /** A message from the host. True when it is the host's answer to our own request (not forwarded). */
  fromHost(message: JsonRpcMessage): boolean {
    if (isResponse(message)) return isOwnId(message.id, 'sign-in');
    if (isRequest(message) && message.method === 'initialize') {
      this.initialize = message;
      this.answeredProvisionally = false;
      this.initialized = false;
    } else if (isNotification(message) && message.method === 'notifications/initialized') {
      this.initialized = true;
      if (this.unsaid) this.tell(this.unsaid);
    }
    return false;
  }

  /**
   * A message from the server. True when it is the server's answer to an initialize the proxy
   * already answered: the host hears of it as list_changed notifications instead.
   */
  fromRemote(message: JsonRpcMessage): boolean {
    if (!isResponse(message) || !this.answeredProvisionally || message.id !== this.initialize?.id) return false;
    this.answeredProvisionally = false;
    if (message.error) {
      log.warn(`the server refused initialize after the sign-in: ${message.error.message}`);
      return true;
    }
    const capabilities = (message.result?.['capabilities'] ?? {}) as Record<string, unknown>;
    for (const kind of ['tools', 'resources', 'prompts']) {
      if (capabilities[kind] !== undefined) this.deps.send({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` });
    }
    return true;
  }

  /** A sign-in started and waits for the user. */
  notice(notice: SignInNotice): void {
    const pending = this.initialize !== undefined && !this.initialized && !this.answeredProvisionally;
    if (pending && this.canShow()) this.answerProvisionally();
    else if (pending) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.deps.waiting() && this.answerProvisionally(), PROVISIONAL_AFTER_MS);
      this.timer.unref();
    }
    if (this.initialized) this.tell(notice);
    else this.unsaid = notice;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private canShow(): boolean {
    return this.hostCapabilities()['elicitation'] !== undefined;
  }

  private hostCapabilities(): Record<string, unknown> {
    return (this.initialize?.params?.['capabilities'] as Record<string, unknown> | undefined) ?? {};
  }

  private answerProvisionally(): void {
    const request = this.initialize;
    if (!request || this.initialized || this.answeredProvisionally) return;
    const version = request.params?.['protocolVersion'];
    const answered = this.deps.answer(request.id, {
      protocolVersion: typeof version === 'string' ? version : '2025-11-25',
      capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true }, logging: {} },
      serverInfo: { name: 'mcp-auth-proxy', version: VERSION },
      instructions: 'The proxy is waiting for you to sign in to the server; its tools will appear once you have.',
    });
    if (answered) {
      this.answeredProvisionally = true;
      log.info("answered the host's initialize while the sign-in waits for the user; the server's answer follows as list changes");
    }
  }

  /** Asks the user, in the host's UI, to sign in. The answer does not matter: the callback does. */
  private tell(notice: SignInNotice): void {
    this.unsaid = undefined;
    const elicitation = this.hostCapabilities()['elicitation'] as Record<string, unknown> | undefined;
    if (!elicitation) return;
    const message = `Sign in to continue${notice.userCode ? ` (code ${notice.userCode})` : ''}.`;
    const id = mintId('sign-in');
    const params =
      elicitation['url'] !== undefined
        ? { mode: 'url', message, url: notice.url, elicitationId: id }
        : { message: `${message} Open ${notice.url}`, requestedSchema: { type: 'object', properties: {} } };
    this.deps.send({ jsonrpc: '2.0', id, method: 'elicitation/create', params });
  }
}
