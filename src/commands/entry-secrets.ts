/**
 * Keeps secrets out of a host entry's `args` (which every user of the machine can read in the
 * process list, and which people paste into issues): a static token given as `--oauth2Bearer X`
 * or `--header "Authorization: Bearer X"` becomes the MCP_AUTH_PROXY_BEARER variable; another
 * credential-looking header becomes `Name: ${NAME}`, which the proxy expands from its environment
 * (config-headers.ts); `--client-secret X` becomes MCP_AUTH_PROXY_CLIENT_SECRET. What the caller
 * does with the values is its business: `config` never prints them, `--migrate` moves them from
 * `args` to the entry's own `env`, where they already were in the same file.
 */
import { ENV } from '../config-defaults.js';

export interface SplitSecrets {
  /** The args with every literal secret replaced by a reference or removed. */
  readonly args: string[];
  /** Variables the args now rely on, with the literal value taken out of them (if there was one). */
  readonly variables: ReadonlyMap<string, string | undefined>;
}

// Header names whose values are credentials (RFC 9110 §11.6.2 Authorization, cookies, API keys).
const SECRET_HEADER = /authorization|cookie|token|secret|key|password|session|credential|auth/i;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function referencesIn(value: string): string[] {
  return [...value.matchAll(REFERENCE)].map((m) => m[1]!);
}

/** A value that is nothing but references, spacing and a scheme word: no literal secret left in it. */
function onlyReferences(value: string): boolean {
  return (
    value
      .replace(REFERENCE, '')
      .trim()
      .replace(/^(?:Bearer|Basic|Token|DPoP)$/i, '') === ''
  );
}

/** X-API-Key → X_API_KEY. */
export function variableFor(headerName: string): string {
  return (
    headerName
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'MCP_HEADER'
  );
}

/** `--flag value` and `--flag=value` as one pair; undefined for anything else. */
function flagValue(args: readonly string[], i: number, flags: readonly string[]): { value: string; width: number } | undefined {
  const arg = args[i]!;
  for (const flag of flags) {
    if (arg === flag && i + 1 < args.length) return { value: args[i + 1]!, width: 2 };
    if (arg.startsWith(`${flag}=`) && flag.startsWith('--')) return { value: arg.slice(flag.length + 1), width: 1 };
  }
  return undefined;
}

export function splitSecrets(args: readonly string[]): SplitSecrets {
  const out: string[] = [];
  const variables = new Map<string, string | undefined>();
  const note = (value: string) => {
    for (const name of referencesIn(value)) if (!variables.has(name)) variables.set(name, undefined);
  };
  for (let i = 0; i < args.length; i++) {
    const bearer = flagValue(args, i, ['--oauth2Bearer']);
    if (bearer) {
      i += bearer.width - 1;
      if (onlyReferences(bearer.value)) {
        out.push('--oauth2Bearer', bearer.value);
        note(bearer.value);
      } else variables.set(ENV.bearer, bearer.value.trim());
      continue;
    }
    const secret = flagValue(args, i, ['--client-secret']);
    if (secret) {
      i += secret.width - 1;
      variables.set(ENV.clientSecret, secret.value);
      continue;
    }
    const header = flagValue(args, i, ['-H', '--header']);
    if (header) {
      i += header.width - 1;
      const colon = header.value.indexOf(':');
      const name = colon < 0 ? '' : header.value.slice(0, colon).trim();
      const value = colon < 0 ? '' : header.value.slice(colon + 1).trim();
      if (!SECRET_HEADER.test(name) || onlyReferences(value)) {
        out.push('--header', header.value);
        note(header.value);
        continue;
      }
      const scheme = /^Bearer\s+(\S+)$/i.exec(value);
      if (name.toLowerCase() === 'authorization' && scheme && !scheme[1]!.includes('${')) {
        variables.set(ENV.bearer, scheme[1]!);
        continue;
      }
      const variable = variableFor(name);
      variables.set(variable, value);
      out.push('--header', `${name}: \${${variable}}`);
      continue;
    }
    out.push(args[i]!);
  }
  return { args: out, variables };
}
