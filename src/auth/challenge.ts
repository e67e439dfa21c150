/**
 * WWW-Authenticate parsing (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1): several challenges per
 * header and several header lines, case-insensitive scheme and parameter names, quoted strings
 * with backslash escapes, token68 values. Returns the Bearer (or DPoP) challenge's parameters.
 */

export interface AuthChallenge {
  scheme: string;
  /** Parameter names lower-cased. */
  params: Record<string, string>;
}

export interface BearerChallenge {
  /** dpop when the server offered only the DPoP scheme (RFC 9449 §7.1): it takes no Bearer token. */
  scheme?: 'bearer' | 'dpop';
  resourceMetadata: URL | undefined;
  scope: string | undefined;
  error: string | undefined;
  errorDescription: string | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/** Parses header lines into challenges; malformed parts end that line's parsing, keeping what came before. */
export function parseChallenges(lines: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const line of lines) parseLine(line, out);
  return out;
}

function parseLine(line: string, out: AuthChallenge[]): void {
  let rest = line;
  const skip = (re: RegExp): string | undefined => {
    const m = re.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    return m[0];
  };
  for (;;) {
    skip(/^[\s,]*/);
    if (rest === '') return;
    const scheme = skip(TOKEN);
    if (!scheme) return;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skip(/^[ \t]*/);
    // token68 form (e.g. "Basic dXNlcg=="): a value with no "=" pair after it.
    // "abc==," is token68; "error=x" is a parameter.
    if (/^[A-Za-z0-9\-._~+/]+=*[ \t]*(,|$)/.test(rest) && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=[ \t]*[^=,\s]/.test(rest)) {
      skip(TOKEN68);
      continue;
    }
    // auth-param list: name = (token / quoted-string), separated by commas. A name followed by a
    // space and another token (no "=") starts the next challenge.
    for (;;) {
      const save = rest;
      skip(/^[\s,]*/);
      const name = skip(TOKEN);
      if (!name) break;
      if (!skip(/^[ \t]*=[ \t]*/)) {
        rest = save; // next challenge's scheme
        break;
      }
      let value: string | undefined;
      if (rest.startsWith('"')) {
        const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
        if (!m) return; // unterminated quoted string: malformed
        rest = rest.slice(m[0].length);
        value = m[1]!.replace(/\\(.)/g, '$1');
      } else {
        value = skip(TOKEN) ?? '';
      }
      const key = name.toLowerCase();
      // RFC 9110 §11.2: each parameter name only once per challenge; keep the first.
      if (!(key in challenge.params)) challenge.params[key] = value;
      skip(/^[ \t]*/);
      if (!rest.startsWith(',')) break;
    }
  }
}

/** The Bearer (or DPoP) challenge from a 401/403, with the MCP-relevant parameters read. */
export function bearerChallenge(lines: readonly string[]): BearerChallenge | undefined {
  const challenges = parseChallenges(lines);
  const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'dpop');
  if (!chosen) return undefined;
  const p = chosen.params;
  return {
    scheme: chosen.scheme === 'dpop' ? 'dpop' : 'bearer',
    resourceMetadata: httpUrl(p['resource_metadata']),
    scope: p['scope']?.trim() || undefined,
    error: p['error'] || undefined,
    errorDescription: p['error_description'] || undefined,
  };
}

// A resource_metadata that is not an absolute http(s) URL is ignored; well-known probing follows.
function httpUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
