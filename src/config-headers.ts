/**
 * --header and --header-file: custom headers for the MCP server's origin, checked once here.
 * Errors name the flag or the file line, never a value (a value may be a secret with a typo).
 */
import { UsageError } from './errors.js';
import { expandEnv, readUserFile, type Env } from './option-values.js';

// Headers the transports set themselves; a user value would break the protocol.
const RESERVED_HEADERS = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
]);

// RFC 9110 §5.6.2 token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * --header-file: "Name: value" lines (blank lines and # comments skipped), each checked like a
 * --header; errors name the file and line, never a value.
 */
export function readHeaderFile(file: string | undefined, env: Env, secrets: string[]): Record<string, string> {
  if (file === undefined) return {};
  const lines = readUserFile(file, '--header-file', env, { privateKey: false })
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const values: string[] = [];
  const where: string[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    values.push(text);
    where.push(`--header-file ${file}:${i + 1}`);
  });
  return parseHeaders(values, env, secrets, (i) => where[i]!);
}

/** `label(i)` names where values[i] came from in errors (--header, or a --header-file line); `headers` is added to, `secrets` gets every value. */
export function parseHeaders(
  values: readonly string[],
  env: Env,
  secrets: string[],
  label: (index: number) => string = () => '--header',
  headers: Record<string, string> = {},
): Record<string, string> {
  for (const [index, raw] of values.entries()) {
    const where = label(index);
    const colon = raw.indexOf(':');
    // The argument may be a secret with a typo (Authorization=Bearer …): never echo it.
    if (colon <= 0) throw new UsageError('INVALID_HEADER', `${where} expects "Name: value" (a header name, a colon, then the value)`);
    const name = raw.slice(0, colon).trim();
    // Not echoed either: "Bearer abc:def" would show half a secret.
    if (!HEADER_NAME.test(name)) throw new UsageError('INVALID_HEADER', `${where}: the text before the colon is not a valid HTTP header name`);
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw new UsageError('INVALID_HEADER', `${where} ${name} is set by the proxy itself and cannot be overridden`);
    const value = expandEnv(raw.slice(colon + 1), env, `${where} ${name}`).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError('INVALID_HEADER', `${where} ${name} contains a line break`);
    secrets.push(value);
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  return headers;
}
