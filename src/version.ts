// Replaced at build time by scripts/build.mjs from package.json (no file read at start-up).
declare const __MCP_AUTH_PROXY_VERSION__: string | undefined;

export const VERSION: string = typeof __MCP_AUTH_PROXY_VERSION__ === 'string' ? __MCP_AUTH_PROXY_VERSION__ : '0.0.0-dev';
