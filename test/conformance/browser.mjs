#!/usr/bin/env node
/**
 * Stand-in browser for the conformance mock AS, used as the CLI's `--browser` command:
 *   browser.mjs [--log <file>] <authorization-url>
 * The mock AS auto-approves: GET /authorize answers 302 to the redirect_uri (our CLI's loopback
 * callback) with code/state/iss. A real browser would follow that redirect, so we do it by
 * hand: read Location without following, then GET the callback like the browser's navigation.
 *
 * The CLI runs us with stdio ignored and does not wait for us, so besides stderr we append
 * to --log (the host replays it into the runner's results).
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const argv = process.argv.slice(2);
const logIndex = argv.indexOf('--log');
const logFile = logIndex >= 0 ? argv[logIndex + 1] : undefined;
const authUrl = argv.at(-1);

function say(msg) {
  const line = `[browser] ${msg}\n`;
  process.stderr.write(line);
  if (logFile) appendFileSync(logFile, line);
}

/** GET without following redirects; retries while the callback server is not listening yet. */
async function get(url) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      if (error.cause?.code !== 'ECONNREFUSED' || attempt >= 20) throw error;
      await delay(100);
    }
  }
}

try {
  say(`GET ${authUrl}`);
  const auth = await get(authUrl);
  const location = auth.headers.get('location');
  if (auth.status < 300 || auth.status >= 400 || !location) {
    say(`authorization endpoint answered ${auth.status} without a redirect: ${(await auth.text()).slice(0, 500)}`);
    process.exit(1);
  }
  const callbackUrl = new URL(location, authUrl).href;
  say(`redirected (${auth.status}) to ${callbackUrl}`);
  const page = await get(callbackUrl);
  say(`callback answered ${page.status}: ${(await page.text()).replace(/\s+/g, ' ').slice(0, 500)}`);
  process.exit(0);
} catch (error) {
  say(`failed: ${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`);
  process.exit(1);
}
