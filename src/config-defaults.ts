/**
 * Every default and every environment variable the proxy knows, in one place: the config is built
 * from them, and the command line's help text quotes them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from './log.js';
import type { Env } from './option-values.js';

export const TRANSPORTS = ['auto', 'streamable-http', 'sse', 'sse-first'] as const;
export type TransportChoice = (typeof TRANSPORTS)[number];
export const PROTOCOLS = ['auto', 'legacy', 'modern'] as const;
export type ProtocolChoice = (typeof PROTOCOLS)[number];
export const GRANTS = ['authorization_code', 'client_credentials', 'jwt-bearer'] as const;
export type GrantChoice = (typeof GRANTS)[number];
/** --dpop: RFC 9449 sender-constrained tokens when the servers offer them (auto), always, or never. */
export const DPOP_CHOICES = ['auto', 'always', 'never'] as const;
export type DpopChoice = (typeof DPOP_CHOICES)[number];

export const DEFAULTS = {
  transport: 'auto' as TransportChoice,
  protocol: 'auto' as ProtocolChoice,
  timeoutSeconds: 300,
  /** doctor bounds each network check by --timeout if given, else by this (not a tool call's 300). */
  doctorTimeoutSeconds: 20,
  connectTimeoutSeconds: 30,
  authTimeoutSeconds: 300,
  logLevel: 'warn' as LogLevel,
  grant: 'authorization_code' as GrantChoice,
  /** logout: every revocation of the command together (all servers, both tokens) ends by then. */
  logoutRevocationSeconds: 10,
  dpop: 'auto' as DpopChoice,
  /** The sign-in redirect URI: the IP literal (RFC 8252 §8.3), and our path. */
  callbackHost: '127.0.0.1',
  callbackPath: '/callback',
  /** Name sent in dynamic registration (RFC 7591 client_name) unless --client-name says otherwise. */
  clientName: 'mcp-auth-proxy',
  /** Cookies of the MCP server's origin are kept in memory unless --no-cookies. */
  cookies: true,
  /** --max-message-mb: no message (a host line, a JSON body, an SSE event) may be larger (issue 10 §7). */
  maxMessageMb: 256,
  /**
   * Above --max-message-mb's ceiling a held message could not be decoded into one JavaScript string
   * (V8's limit is just under 512 MiB); streamed messages stay bounded by the limit too.
   */
  maxMessageMbCeiling: 512,
  /** Responses larger than this are written to stdout as they arrive instead of being held (issue 13). */
  streamAboveBytes: 1024 * 1024,
} as const;

export const ENV = {
  bearer: 'MCP_AUTH_PROXY_BEARER',
  clientSecret: 'MCP_AUTH_PROXY_CLIENT_SECRET',
  authDir: 'MCP_AUTH_PROXY_DIR',
  idpClientSecret: 'MCP_AUTH_PROXY_IDP_CLIENT_SECRET',
} as const;

/**
 * Where credentials (and the protocol-era notes) live without --auth-dir or MCP_AUTH_PROXY_DIR:
 * the user's config directory, XDG on Linux, Application Support on macOS, AppData on Windows.
 */
export function defaultAuthDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'mcp-auth-proxy');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'mcp-auth-proxy');
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'mcp-auth-proxy');
}
