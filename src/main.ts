/** Wires the pieces for a proxy run and resolves with the exit code once the host is gone. */
import { setTimeout as delay } from 'node:timers/promises';
import { onSignInNeeded } from './auth/sign-in-notice.js';
import { Bridge } from './bridge.js';
import type { Config } from './config.js';
import { createAuthorizer } from './create-authorizer.js';
import { afterWrite, tuneHeap } from './heap.js';
import { createHttpClient } from './create-http-client.js';
import { log, setLogLevel } from './log.js';
import { connectRemote } from './transport/connect.js';
import { StdioTransport } from './transport/stdio.js';
import { displayUrl } from './url.js';

// The whole shutdown (closing the remote session included) must fit in 2 s.
const SHUTDOWN_BUDGET_MS = 1_400;

export async function runProxy(config: Config): Promise<number> {
  setLogLevel(config.logLevel);
  tuneHeap();
  for (const note of config.compatNotes) log.debug(note);
  const http = createHttpClient(config);
  log.info(`proxying stdio to ${displayUrl(config.serverUrl)} (transport: ${config.transport})`);
  // The authorizer (discovery, registration, tokens) gets the client without cookies: the MCP
  // server's cookies never reach the authorization server.
  const authorizer = createAuthorizer(config, http);
  const remote = connectRemote(config, authorizer, config.cookies ? http.withCookies(new URL(config.serverUrl).origin) : http);
  const host = new StdioTransport(process.stdin, process.stdout, config.maxMessageBytes);
  host.onwritten = afterWrite;
  const bridge = new Bridge(host, remote, {
    timeoutMs: config.timeoutMs,
    waitingForUser: () => authorizer.waitingForUser === true,
    onSignInNeeded,
    keepaliveMs: config.keepaliveMs,
    ignoreTools: config.ignoreTools,
  });

  const stopped = new Promise<string>((resolve) => {
    host.onclose = () => resolve('the host closed stdin');
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  bridge.start();
  const why = await stopped;
  log.info(`shutting down: ${why}`);
  const budget = delay(SHUTDOWN_BUDGET_MS, undefined, { ref: false });
  await Promise.race([bridge.close().catch((error: unknown) => log.debug(`close: ${(error as Error).message}`)), budget]);
  await Promise.race([http.close(), delay(100, undefined, { ref: false })]);
  return 0;
}
