/**
 * A browser that cannot be launched. The --browser command (or the system opener, e.g.
 * xdg-open without a browser) may fail to start or exit non-zero at once; then nobody will
 * ever come back to the callback, and holding the host's requests for --auth-timeout only makes
 * the host give up with nothing to show. So: the failure is said on stderr, the sign-in falls
 * back to the device flow where the AS offers it, or else keeps waiting for the user to open the
 * URL themselves (printed on stderr and shown in the host's UI, host-sign-in.ts), and the host's
 * requests that wait are answered within seconds with an error carrying that URL.
 */
import type { ChildProcess } from 'node:child_process';
import { isProxyError, ProxyError } from '../errors.js';
import { log } from '../log.js';

// An opener that is still running after this long, or exited 0, has handed the URL over.
const LAUNCH_WINDOW_MS = 10_000;

/** Why a launched browser failed (did not start, or exited non-zero at once); undefined when it did not. */
export function launchFailure(child: ChildProcess, command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), LAUNCH_WINDOW_MS);
    timer.unref();
    function done(reason: string | undefined): void {
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
      resolve(reason);
    }
    function onError(error: Error): void {
      done(`could not start "${command}": ${error.message}`);
    }
    function onExit(code: number | null, signal: NodeJS.Signals | null): void {
      done(code === 0 ? undefined : `"${command}" exited with ${code !== null ? `code ${code}` : `signal ${signal}`}`);
    }
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/** The error a waiting host request gets: what failed, and the URL to open. */
export function browserFailedError(reason: string, url: string): ProxyError {
  return new ProxyError('AUTH_BROWSER', `no browser could be opened to sign in (${reason}). Open this URL to sign in, then try again: ${url}`, {
    signInUrl: url,
  });
}

/**
 * Holds the outcome of a sign-in whose browser failed, for the requests that wait on it: they
 * are rejected with the URL at once (and any that come while the sign-in still waits for the
 * user), while the sign-in itself goes on in the background.
 */
export class BrowserFailureGate {
  private failure: ProxyError | undefined;
  private readonly waiting = new Set<(error: ProxyError) => void>();

  /** The browser failed: every waiting request, and later ones until `clear()`, gets `error`. */
  fail(error: ProxyError): void {
    this.failure = error;
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
  }

  /** The sign-in ended (done or given up): requests wait for sign-ins again. */
  clear(): void {
    this.failure = undefined;
  }

  /** Runs `task`, unless a sign-in whose browser failed still waits; rejects as soon as the browser fails. */
  wait<T>(task: () => Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      task()
        .then(resolve, reject)
        .finally(() => this.waiting.delete(reject));
    });
  }

  /** The browser sign-in, and where it cannot open a browser the device flow (when `device` is given). */
  static async withDeviceFallback<T>(browser: () => Promise<T>, device: (() => Promise<T | undefined>) | undefined): Promise<T> {
    try {
      return await browser();
    } catch (error) {
      if (!isProxyError(error, 'AUTH_BROWSER') || !device) throw error;
      log.warn(`${error.message}: signing in with the device authorization grant (RFC 8628) instead`);
      const tokens = await device();
      if (tokens === undefined) throw error;
      return tokens;
    }
  }
}
