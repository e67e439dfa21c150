/**
 * `mcp-auth-proxy config <server-url> [--app <host>] [--name <name>] [--write] [-- <proxy options>]`:
 * the entry that makes a host run the proxy, printed for every host (or one), or written into that
 * host's config file on this machine. Secrets given after `--` never reach the entry: they become
 * environment variables it references (entry-secrets.ts). `config --migrate` is in config-migrate.ts.
 */
import type { App, ConfigCommandConfig } from '../config-hosts.js';
import { OUR_FLAGS, translateCompatArgv } from '../compat-argv.js';
import { ENV } from '../config-defaults.js';
import { UsageError } from '../errors.js';
import { addSecret } from '../log.js';
import { codexTable, HOSTS, jsonEntry, printedBlock, vscodeInputs, type NewEntry } from './host-formats.js';
import { splitSecrets } from './entry-secrets.js';
import { readHostFile, withInputs, withServer, writeHostFile } from './host-file.js';
import { print, say } from './output.js';

/** Refuses what follows `--` where the proxy would refuse it, before it lands in a host's file. */
function checkProxyArgs(args: readonly string[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      throw new UsageError(
        'INVALID_OPTION',
        `"${arg}" (after --) is not an option; the server URL goes before --, e.g. mcp-auth-proxy config https://example.com/mcp -- --keepalive 60`,
      );
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const spec = OUR_FLAGS.get(flag);
    if (spec === undefined) throw new UsageError('INVALID_OPTION', `${flag} (after --) is not an option of mcp-auth-proxy; see mcp-auth-proxy --help`);
    if (!spec.flags.includes('<')) continue;
    if (eq < 0 && i + 1 >= args.length) throw new UsageError('INVALID_OPTION', `${flag} (after --) needs a value`);
    const value = eq < 0 ? args[++i]! : arg.slice(eq + 1);
    if (spec.choices && !spec.choices.includes(value))
      throw new UsageError('INVALID_OPTION', `${flag} (after --) must be one of ${spec.choices.join(', ')} (got "${value}")`);
  }
}

/**
 * The entry for a new server: `npx -y mcp-auth-proxy <url> <options>`, secrets out of args. The
 * options may be written as supergateway or mcp-remote would (compat-argv.ts): the entry gets ours.
 */
export function newEntry(serverUrl: string, given: readonly string[]): { entry: NewEntry; literals: string[] } {
  // Redacted from every line from here on, a usage error about the args included.
  for (const value of splitSecrets(given).variables.values()) addSecret(value);
  const { argv: proxyArgs, notes } = translateCompatArgv(given);
  for (const note of notes) say(`after --: ${note}`);
  const split = splitSecrets(proxyArgs);
  for (const value of split.variables.values()) addSecret(value);
  checkProxyArgs(proxyArgs);
  const literals = [...split.variables].filter(([, v]) => v !== undefined).map(([k]) => k);
  return { entry: { command: 'npx', args: ['-y', 'mcp-auth-proxy', serverUrl, ...split.args], variables: [...split.variables.keys()] }, literals };
}

/** Where the variables' values come from, said once after the blocks. */
function variablesNote(config: ConfigCommandConfig, entry: NewEntry, literals: readonly string[]): string[] {
  if (entry.variables.length === 0) return [];
  const names = entry.variables.join(', ');
  const lines = [
    `# The entry reads ${names} from the environment the host starts it with; the value is in no config file.`,
    `# Set it in that environment, or keep the credential in a header file instead (one "Name: value" line, mode 0600):`,
    `#   --header-file ${config.headerFileDir}/${config.name}.headers`,
  ];
  if (config.apps.includes('vscode')) lines.push('# VS Code asks for it once (the "inputs" prompt) and keeps it in its secret storage.');
  if (config.apps.includes('claude-desktop'))
    lines.push('# Claude Desktop does not expand variables: it passes on its own environment (or use the header file).');
  if (literals.includes(ENV.bearer)) say(`the token given after -- was left out of the entry: set ${ENV.bearer} to it`);
  for (const name of literals.filter((n) => n !== ENV.bearer)) say(`the secret given after -- was left out of the entry: set ${name} to it`);
  return lines;
}

export async function runConfig(config: ConfigCommandConfig): Promise<number> {
  if (config.migrate) return (await import('./config-migrate.js')).runMigrate(config);
  const { entry, literals } = newEntry(config.serverUrl!, config.proxyArgs);
  const note = variablesNote(config, entry, literals);
  if (!config.write) {
    print([...config.apps.map((app) => printedBlock(app, config.name, entry, config.paths[app])), note.join('\n')].filter(Boolean).join('\n\n'));
    return 0;
  }
  const app = config.apps[0]!;
  const inputs = app === 'vscode' ? vscodeInputs(entry.variables) : [];
  writeEntry(app, config.paths[app], config.name, HOSTS[app].file === 'toml' ? codexTable(config.name, entry) : jsonEntry(app, entry), inputs);
  print([printedBlock(app, config.name, entry, config.paths[app]), note.join('\n')].filter(Boolean).join('\n\n'));
  return 0;
}

/** Adds or replaces one entry in a host's file, saying what was done on stderr. */
export function writeEntry(
  app: App,
  path: string,
  name: string,
  entry: Record<string, unknown> | string,
  inputs: ReadonlyArray<Record<string, unknown>> = [],
): void {
  const previous = readHostFile(path);
  const text = withInputs(path, withServer(app, path, previous ?? '', [name], entry), inputs);
  if (text === previous) {
    say(`${path}: the entry "${name}" is already so; nothing written`);
    return;
  }
  const backup = writeHostFile(path, text, previous);
  say(`wrote the entry "${name}" to ${path}${backup ? ` (the previous file is ${backup})` : ''}; restart ${HOSTS[app].label} to use it`);
}
