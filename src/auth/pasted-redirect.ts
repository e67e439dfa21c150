/**
 * For `login` on a machine whose browser runs elsewhere (an SSH session, --browser none) when the
 * authorization server has no device flow: the user opens the sign-in URL on another machine,
 * whose browser then fails to load http://127.0.0.1:<port>/callback?code=…; the user pastes that
 * address here. The pasted URL is handed to the callback server, which applies exactly the checks
 * it applies to a browser's request (state, RFC 9207 iss, error, code; one code only).
 */
import { createInterface } from 'node:readline';
import { log } from '../log.js';
import type { CallbackServer, Reply } from './callback-server.js';

/** Offers the paste; returns the function that stops listening. */
export function acceptPastedRedirects(callback: CallbackServer, input: NodeJS.ReadableStream): () => void {
  const expected = new URL(callback.redirectUri);
  log.notice(
    `if the browser is on another machine, it cannot reach ${expected.origin}: after signing in, copy the address of the page that failed to load and paste it here (then press Enter)`,
  );
  const lines = createInterface({ input, terminal: false, crlfDelay: Infinity });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    lines.close();
  };
  lines.on('line', (line) => {
    const text = line.trim();
    if (stopped || text === '') return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return log.notice(`that is not a URL; paste the whole address, starting with ${expected.origin}${expected.pathname}`);
    }
    // Only the redirect back to us: the sign-in URL itself carries our state too, but no code.
    if (url.origin !== expected.origin || url.pathname !== expected.pathname) {
      return log.notice(`that is not the address the sign-in sent the browser to; it starts with ${expected.origin}${expected.pathname}?`);
    }
    callback.deliver(url.searchParams, (reply: Reply) => {
      // The replies are written for a browser tab; the sentences about the tab do not apply here.
      const message = reply.message.replace(/\s*[^.]*\bthis tab\b[^.]*\./g, '').trim();
      log.notice(message ? `${reply.title}: ${message}` : `${reply.title}.`);
    });
  });
  return stop;
}
