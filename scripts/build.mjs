// Bundles the CLI into dist/ with esbuild: everything inside (`npx mcp-auth-proxy` installs no
// dependencies), split so that each run loads only the code it needs (a proxy run with a static
// token never loads the OAuth flow, a command's code, or `open`).
//
// dist/ is CommonJS, built in two steps, because only esbuild's ESM output can be split into
// chunks, and an ESM program starts slower: on this project's 2-core machine, spawn to
// `initialize` answered took 15-32 ms longer (of 220-300) when Node had to start its ESM loader
// and resolve the chunks asynchronously (issue 13; measured side by side, 11-21 starts each). So:
//   1. bundle src/cli.ts as split ESM into a scratch folder (below);
//   2. turn each chunk into CommonJS (imports become require(), dynamic import() a lazy
//      require()), reading step 1's source maps so dist/'s maps still point into src/.
// dist/package.json marks the folder CommonJS; bin/package.json does the same for the bin.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist', import.meta.url).pathname;
const common = {
  platform: 'node',
  target: 'node20.18',
  sourcemap: true,
  // Mappings only: the sources are in the repository; embedding them would triple the install size.
  sourcesContent: false,
  minify: true,
  logLevel: 'warning',
};

// A fixed folder, not a random temporary one: esbuild's own helpers have no source of their own, so
// dist/'s maps name step 1's file for them, and the same sources must give the same dist/.
const esm = new URL('../node_modules/.cache/mcp-auth-proxy-build', import.meta.url).pathname;
await rm(esm, { recursive: true, force: true });
await mkdir(esm, { recursive: true });
try {
  await build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outdir: esm,
    bundle: true,
    splitting: true,
    format: 'esm',
    // Kept in the chunks for step 2, which moves them into linked files.
    legalComments: 'eof',
    define: { __MCP_AUTH_PROXY_VERSION__: JSON.stringify(pkg.version) },
  });
  await rm(dist, { recursive: true, force: true });
  const chunks = (await readdir(esm)).filter((f) => f.endsWith('.js'));
  await build({
    ...common,
    entryPoints: chunks.map((f) => join(esm, f)),
    outdir: dist,
    bundle: false,
    format: 'cjs',
    // import('./x.js') becomes a require() run when reached, so lazy chunks stay lazy.
    supported: { 'dynamic-import': false },
    legalComments: 'linked',
    // `open` finds its own files from import.meta.url; in CommonJS that is the chunk's own file URL.
    banner: { js: 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__importMetaUrl' },
  });
  await writeFile(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
} finally {
  await rm(esm, { recursive: true, force: true });
}
