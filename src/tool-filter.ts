/**
 * --ignore-tool: tools the host must not see or call. Patterns are whole-name globs (`*` any run
 * of characters, `?` one character, everything else literal, case-sensitive like tool names).
 * Ignored tools are left out of every tools/list result the host gets, and a host's tools/call
 * to one is answered here (-32602, as MCP answers an unknown tool) without reaching the server.
 */
import { JSONRPC_INVALID_PARAMS } from './errors.js';
import { errorResponse, type JsonRpcRequest, type JsonRpcResponse } from './jsonrpc.js';
import { log } from './log.js';

export class ToolFilter {
  private readonly patterns: ReadonlyArray<{ glob: string; re: RegExp }>;

  constructor(globs: readonly string[]) {
    this.patterns = globs.map((glob) => ({ glob, re: globToRegExp(glob) }));
  }

  /** The first pattern matching the tool's name, if any. */
  match(name: string): string | undefined {
    return this.patterns.find((p) => p.re.test(name))?.glob;
  }

  /** The local answer to a host's tools/call of an ignored tool; undefined for anything else. */
  refuse(request: JsonRpcRequest): JsonRpcResponse | undefined {
    if (request.method !== 'tools/call') return undefined;
    const name = request.params?.['name'];
    if (typeof name !== 'string') return undefined;
    const glob = this.match(name);
    if (glob === undefined) return undefined;
    log.info(`answered the host's call of "${name}" here: it is ignored (--ignore-tool "${glob}")`);
    return errorResponse(
      request.id,
      JSONRPC_INVALID_PARAMS,
      `mcp-auth-proxy: the tool "${name}" is ignored by mcp-auth-proxy configuration (--ignore-tool "${glob}"); it was not sent to the server`,
      { code: 'TOOL_IGNORED', tool: name },
    );
  }

  /** A tools/list response without the ignored tools; undefined when nothing was removed. */
  list(response: JsonRpcResponse): JsonRpcResponse | undefined {
    const tools = response.result?.['tools'];
    if (!Array.isArray(tools)) return undefined;
    const hidden: string[] = [];
    const kept = tools.filter((tool: unknown) => {
      const name = (tool as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || this.match(name) === undefined) return true;
      hidden.push(name);
      return false;
    });
    if (hidden.length === 0) return undefined;
    log.info(`hiding ${hidden.length} tool(s) from the host (--ignore-tool): ${hidden.join(', ')}`);
    return { ...response, result: { ...response.result, tools: kept } };
  }
}

/** `*` → any run of characters, `?` → one character; the rest matches itself. Whole name only. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}
