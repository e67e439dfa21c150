/**
 * The one logger. Writes to stderr only (stdout belongs to JSON-RPC) and redacts every line:
 * known secret values registered with `addSecret`, and anything shaped like a credential
 * (Bearer values, token/code/secret parameters), so that a secret never reaches a host's log
 * file at any level, whoever formatted the line.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

const REDACTED = '[redacted]';
const secrets = new Set<string>();
let threshold = LOG_LEVELS.indexOf('warn');

// Credential shapes: "Bearer <x>", "Basic <x>", key=value and "key": "value" for OAuth parameters.
const SHAPES: readonly RegExp[] = [
  // Not "jwt-bearer grant": the scheme stands alone and the credential is at least 8 characters.
  /(?<![\w-])(Bearer|Basic|DPoP)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi,
  /\b(access_token|refresh_token|id_token|code|code_verifier|client_secret|assertion|client_assertion|device_code|password)=([^&\s"']+)/gi,
  /"(access_token|refresh_token|id_token|code|code_verifier|client_secret|assertion|client_assertion|device_code|password)"\s*:\s*"(?:[^"\\]|\\.)*"/gi,
];

export function setLogLevel(level: LogLevel): void {
  threshold = LOG_LEVELS.indexOf(level);
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function enabled(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= threshold;
}

/** Registers a value that must never be printed. Very short values are ignored (they would mangle text). */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SHAPES[0]!, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(SHAPES[1]!, (_m, key: string) => `${key}=${REDACTED}`);
  out = out.replace(SHAPES[2]!, (_m, key: string) => `"${key}":"${REDACTED}"`);
  return out;
}

function write(level: LogLevel | 'notice', message: string): void {
  if (level !== 'notice' && !enabled(level)) return;
  process.stderr.write(redact(`[mcp-auth-proxy] ${level}: ${message}`) + '\n');
}

export const log = {
  error: (message: string) => write('error', message),
  warn: (message: string) => write('warn', message),
  info: (message: string) => write('info', message),
  debug: (message: string) => write('debug', message),
  /** What the user must see whatever the level (e.g. the sign-in URL to open). */
  notice: (message: string) => write('notice', message),
};
