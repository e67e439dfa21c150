/**
 * The command line: options, help text and exit codes. The only place that calls process.exit.
 * Exit codes: 0 done, 1 failure, 2 usage error (bad flag, URL or environment).
 */
import { Command, CommanderError, Option } from 'commander';
import { joinSplitHeaders } from './argv.js';
import { buildConfig, DEFAULTS, ENV, PROTOCOLS, TRANSPORTS, type RawOptions } from './config.js';
import { UsageError } from './errors.js';
import { LOG_LEVELS, redact } from './log.js';
import { VERSION } from './version.js';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const EXAMPLES = `
Examples:
  $ mcp-auth-proxy https://example.com/mcp
  $ MCP_AUTH_PROXY_BEARER=secret mcp-auth-proxy https://example.com/mcp
  $ mcp-auth-proxy https://example.com/mcp --header "X-API-Key: \${API_KEY}"
  $ mcp-auth-proxy https://example.com/sse --transport sse

In an MCP host's config (Cursor, Claude Desktop, VS Code):
  "command": "npx", "args": ["-y", "mcp-auth-proxy", "https://example.com/mcp"]

Exit codes: 0 done, 1 failure, 2 usage error.`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function program(): Command {
  return new Command()
    .name('mcp-auth-proxy')
    .description('Connects an MCP host speaking stdio to a remote MCP server (Streamable HTTP or SSE).')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .argument('<server-url>', 'the remote MCP server, e.g. https://example.com/mcp')
    .addOption(
      new Option('--transport <mode>', `how to reach the server (auto tries Streamable HTTP, then legacy SSE); e.g. --transport sse`)
        .choices(TRANSPORTS)
        .default(DEFAULTS.transport),
    )
    .addOption(
      new Option('--protocol <era>', 'the MCP protocol era: auto detects 2026-07-28 servers and falls back to the initialize-based protocol; e.g. --protocol legacy')
        .choices(PROTOCOLS)
        .default(DEFAULTS.protocol),
    )
    .option('--oauth2Bearer <token>', `a static bearer token; e.g. --oauth2Bearer "\${TOKEN}" (or set ${ENV.bearer} to keep it out of the process list)`)
    .addOption(new Option('-H, --header <header>', 'an extra header for the MCP server, repeatable; ${VAR} is expanded; e.g. -H "X-API-Key: ${API_KEY}"').argParser(collect))
    .option('--allow-http', 'allow plain http:// to hosts other than loopback (tokens travel unencrypted!)')
    .option('--timeout <seconds>', `give up on a request after this long; progress restarts the clock; e.g. --timeout 600 (default: ${DEFAULTS.timeoutSeconds})`)
    .option('--client-id <id>', 'a client registered with the authorization server in advance; e.g. --client-id my-app')
    .option('--client-secret <secret>', `its secret, if it has one (or set ${ENV.clientSecret})`)
    .option('--client-metadata-url <url>', 'an https URL of a client ID metadata document to use as client_id where the server accepts one')
    .option('--scope <scopes>', 'the scopes to ask for, space-separated (default: what the server asks for); e.g. --scope "read write"')
    .option('--resource <uri>', 'the RFC 8707 resource to ask a token for (default: the one the server publishes)')
    .option('--no-resource', 'send no resource parameter (for providers that reject it, e.g. Entra ID)')
    .option('--callback-port <port>', 'pin the port of the sign-in callback http://127.0.0.1:<port>/callback (default: a free one)')
    .option('--browser <command>', 'open the sign-in page with this command (run without a shell, URL appended), or "none" to only print the URL')
    .option('--auth-timeout <seconds>', `how long to wait for a browser sign-in (default: ${DEFAULTS.authTimeoutSeconds})`)
    .option('--auth-dir <dir>', `where credentials are stored (or set ${ENV.authDir}; default: your config directory)`)
    .option('--assume-pkce', 'sign in even if the authorization server does not advertise PKCE S256 support (for providers known to omit it)')
    .addOption(
      new Option('--log-level <level>', 'how much to write to stderr; e.g. --log-level debug').choices(LOG_LEVELS).default(DEFAULTS.logLevel),
    )
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`mcp-auth-proxy: ${text.replace(/^error: /, '')}`),
    });
}

async function main(argv: readonly string[]): Promise<number> {
  const cli = program();
  let url: string | undefined;
  let options: RawOptions = {};
  try {
    cli.action((serverUrl: string, opts: RawOptions) => {
      url = serverUrl;
      options = opts;
    });
    cli.parse(joinSplitHeaders(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    throw error;
  }
  const config = buildConfig(url!, options, process.env);
  // Loaded only for a proxy run, so --help and --version stay instant.
  const { runProxy } = await import('./main.js');
  return runProxy(config);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`mcp-auth-proxy: ${redact(error.message)}\nRun mcp-auth-proxy --help for usage.\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(`mcp-auth-proxy: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(EXIT.failure);
  },
);
