// Bundles the CLI into dist/ with esbuild: one file (plus a lazily loaded chunk for the proxy run)
// with everything inside, so `npx mcp-auth-proxy` installs no dependencies and starts fast.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  sourcemap: true,
  // Mappings only: the sources are in the repository; embedding them would triple the install size.
  sourcesContent: false,
  minify: true,
  legalComments: 'linked',
  define: { __MCP_AUTH_PROXY_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS packages (commander, undici) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
