/**
 * Tool parameters mirrored into HTTP headers (MCP 2026-07-28, Streamable HTTP "Custom Headers
 * from Tool Parameters"): a property of a tool's inputSchema annotated `x-mcp-header: Name` is
 * sent as `Mcp-Param-Name` on tools/call. A tool whose annotations break the rules is invalid,
 * and clients MUST leave it out of the tools/list they expose.
 */

export interface HeaderParam {
  /** Property path from the arguments object down to the value. */
  path: string[];
  /** The header name after "Mcp-Param-". */
  name: string;
}

export type ScanResult = { valid: true; params: HeaderParam[] } | { valid: false; reason: string };

const ANNOTATION = 'x-mcp-header';
// RFC 9110 §5.6.2 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// "number" is not permitted: its decimal form is not unique (1 vs 1.0).
const PRIMITIVES = new Set(['string', 'integer', 'boolean']);
// Subschemas the annotation must not sit under: only a chain of `properties` is statically
// reachable; anything below these keywords (or $ref targets in $defs) makes the tool invalid.
const UNREACHABLE = [
  'items',
  'prefixItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'patternProperties',
  'dependentSchemas',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  '$defs',
  'definitions',
];
const MAPS = new Set(['patternProperties', 'dependentSchemas', '$defs', 'definitions']);

// Deeper than any schema a tool needs, far short of the stack: a deeper one (a hostile server's)
// is answered as invalid at once. Copying the path at every level made such a schema cost
// seconds of CPU before the stack overflowed (issue 10's deep-JSON case).
const MAX_SCHEMA_DEPTH = 1_000;
const TOO_DEEP = `its inputSchema is nested more than ${MAX_SCHEMA_DEPTH} levels deep, too deeply to check`;

/** A path from the arguments object, kept as a chain to its parent: a level costs one object, not a copy. */
interface PathLink {
  parent: PathLink | undefined;
  key: string;
  depth: number;
}

const pathOf = (link: PathLink | undefined): string[] => {
  const keys: string[] = [];
  for (let at = link; at; at = at.parent) keys.push(at.key);
  return keys.reverse();
};

export function scanHeaderParams(inputSchema: unknown): ScanResult {
  const params: HeaderParam[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, link: PathLink | undefined, reachable: boolean): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    if ((link?.depth ?? 0) > MAX_SCHEMA_DEPTH) return TOO_DEEP;
    const schema = node as Record<string, unknown>;
    const child = (key: string): PathLink => ({ parent: link, key, depth: (link?.depth ?? 0) + 1 });
    if (ANNOTATION in schema) {
      const path = pathOf(link);
      const where = path.length ? path.join('.') : '<root>';
      if (!reachable || path.length === 0) return `${where}: ${ANNOTATION} is only allowed on properties reached through "properties"`;
      const name = schema[ANNOTATION];
      if (typeof name !== 'string' || !TOKEN.test(name)) return `${where}: ${ANNOTATION} must be an HTTP token (got ${JSON.stringify(name)})`;
      if (typeof schema['type'] !== 'string' || !PRIMITIVES.has(schema['type'])) {
        return `${where}: ${ANNOTATION} is only allowed on string, integer or boolean properties`;
      }
      if (seen.has(name.toLowerCase())) return `${where}: ${ANNOTATION} "${name}" is declared twice`;
      seen.add(name.toLowerCase());
      params.push({ path, name });
    }
    const properties = schema['properties'];
    if (properties !== null && typeof properties === 'object') {
      for (const [key, value] of Object.entries(properties)) {
        const fault = visit(value, child(key), reachable);
        if (fault) return fault;
      }
    }
    for (const keyword of UNREACHABLE) {
      const sub = schema[keyword];
      if (sub === undefined) continue;
      const branches = Array.isArray(sub) ? sub : MAPS.has(keyword) && sub !== null && typeof sub === 'object' ? Object.values(sub) : [sub];
      for (const branch of branches) {
        const fault = visit(branch, child(`<${keyword}>`), false);
        if (fault) return fault;
      }
    }
    return undefined;
  };
  const reason = visit(inputSchema, undefined, true);
  return reason ? { valid: false, reason } : { valid: true, params };
}

const SENTINEL_START = '=?base64?';
const SENTINEL_END = '?=';

/**
 * A header value: plain visible ASCII as is; anything else (non-ASCII, control characters
 * including tab, leading or trailing space, empty, or a value that looks like the sentinel) as
 * `=?base64?<base64 of the UTF-8 bytes>?=`.
 */
export function encodeParamValue(value: string): string {
  const plain =
    value.length > 0 &&
    value === value.trim() &&
    !(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END)) &&
    // Visible ASCII and space only; a tab is legal in a field value but not plain here.
    /^[\x20-\x7e]*$/.test(value);
  return plain ? value : `${SENTINEL_START}${Buffer.from(value, 'utf8').toString('base64')}${SENTINEL_END}`;
}

/** The Mcp-Param-* headers for a call's arguments; null or absent values send no header. */
export function paramHeaders(params: readonly HeaderParam[], args: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const param of params) {
    let value: unknown = args;
    for (const key of param.path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    let text: string | undefined;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'boolean') text = value ? 'true' : 'false';
    else if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
    if (text !== undefined) headers[`mcp-param-${param.name.toLowerCase()}`] = encodeParamValue(text);
  }
  return headers;
}
