/**
 * The `config` command's settings: which hosts (apps), the entry's name, the proxy options given
 * after `--`, and where each host keeps its config file on this machine. Those paths are the
 * hosts' own documented ones, per OS, resolved here from the environment (HOME / USERPROFILE,
 * APPDATA, XDG_CONFIG_HOME, CODEX_HOME), the only place that reads it for this command.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import type { Env } from './option-values.js';

export const APPS = ['cursor', 'claude-desktop', 'claude-code', 'vscode', 'windsurf', 'codex'] as const;
export type App = (typeof APPS)[number];

export interface ConfigCommandConfig {
  /** The server URL (undefined with --migrate). */
  readonly serverUrl: string | undefined;
  readonly apps: readonly App[];
  /** The entry's name under the host's servers key. */
  readonly name: string;
  readonly write: boolean;
  readonly migrate: boolean;
  /** The proxy options given after `--`, as typed. */
  readonly proxyArgs: readonly string[];
  /** Each host's config file on this machine. */
  readonly paths: Readonly<Record<App, string>>;
  /** Where --migrate looks: each host's file, and VS Code's settings.json (servers under "mcp"). */
  readonly migrationSources: readonly MigrationSource[];
  /** Where a suggested --header-file goes (the user's config directory for mcp-auth-proxy). */
  readonly headerFileDir: string;
}

export interface MigrationSource {
  readonly app: App;
  readonly path: string;
  /** The keys of the object holding the host's servers key ([] = the document). */
  readonly within: readonly string[];
}

export interface ConfigCommandOptions {
  app?: string;
  name?: string;
  write?: boolean;
  migrate?: boolean;
  proxyArgs?: readonly string[];
}

/** The user's home: HOME (USERPROFILE on Windows), else the OS's idea of it. */
function homeOf(env: Env, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? env['USERPROFILE'] : env['HOME']) || homedir();
}

/**
 * Each host's user-level config file. Cursor ~/.cursor/mcp.json; Claude Desktop
 * claude_desktop_config.json in Application Support / %APPDATA% / ~/.config; Claude Code
 * ~/.claude.json (user scope); VS Code's user mcp.json in Code/User; Windsurf
 * ~/.codeium/windsurf/mcp_config.json; Codex $CODEX_HOME/config.toml (default ~/.codex).
 */
export function hostConfigPaths(env: Env, platform: NodeJS.Platform = process.platform): Record<App, string> {
  const home = homeOf(env, platform);
  const appData = env['APPDATA'] || join(home, 'AppData', 'Roaming');
  const userConfig =
    platform === 'win32' ? appData : platform === 'darwin' ? join(home, 'Library', 'Application Support') : env['XDG_CONFIG_HOME'] || join(home, '.config');
  return {
    cursor: join(home, '.cursor', 'mcp.json'),
    'claude-desktop': join(userConfig, 'Claude', 'claude_desktop_config.json'),
    'claude-code': join(home, '.claude.json'),
    vscode: join(userConfig, 'Code', 'User', 'mcp.json'),
    windsurf: join(home, '.codeium', 'windsurf', 'mcp_config.json'),
    codex: join(env['CODEX_HOME'] || join(home, '.codex'), 'config.toml'),
  };
}

/** A name for the entry from the server's host: mcp.example.com → example. */
export function defaultEntryName(serverUrl: string): string {
  const host = new URL(serverUrl).hostname;
  if (/^[\d.]+$|^\[|^localhost$/.test(host)) return 'mcp-server';
  const labels = host.split('.').filter((l) => !['mcp', 'www', 'api', 'app'].includes(l));
  const label = labels.length > 1 ? labels[labels.length - 2]! : (labels[0] ?? 'mcp-server');
  return label.replace(/[^A-Za-z0-9_-]/g, '-') || 'mcp-server';
}

export function buildConfigCommand(
  url: string | undefined,
  raw: ConfigCommandOptions,
  env: Env,
  platform: NodeJS.Platform = process.platform,
): ConfigCommandConfig {
  const migrate = raw.migrate === true;
  if (migrate && url !== undefined)
    throw new UsageError('INVALID_OPTION', "config --migrate rewrites the entries already in your hosts' files: give it no server URL");
  if (migrate && (raw.proxyArgs?.length ?? 0) > 0) throw new UsageError('INVALID_OPTION', 'config --migrate takes no proxy options after --');
  if (!migrate && url === undefined)
    throw new UsageError('INVALID_URL', 'config needs the server URL, e.g. mcp-auth-proxy config https://example.com/mcp (or --migrate)');
  let serverUrl: string | undefined;
  if (url !== undefined) {
    try {
      serverUrl = new URL(url).href;
    } catch {
      throw new UsageError('INVALID_URL', `"${url}" is not a URL; give the server's full address, e.g. https://example.com/mcp`);
    }
    if (!/^https?:$/.test(new URL(url).protocol))
      throw new UsageError('INVALID_URL', `the server URL must start with https:// (got ${new URL(url).protocol}//)`);
  }
  const apps = raw.app === undefined ? APPS : [raw.app];
  for (const app of apps)
    if (!(APPS as readonly string[]).includes(app)) throw new UsageError('INVALID_OPTION', `--app must be one of ${APPS.join(', ')} (got "${app}")`);
  const name = raw.name ?? (serverUrl === undefined ? '' : defaultEntryName(serverUrl));
  if (raw.name !== undefined && (name.trim() === '' || /[\u0000-\u001f]/.test(name)))
    throw new UsageError('INVALID_OPTION', '--name needs a name for the entry, e.g. --name example');
  if (raw.write === true && raw.app === undefined && !migrate) {
    throw new UsageError('INVALID_OPTION', "config --write changes one host's file: say which with --app, e.g. --app cursor");
  }
  const paths = hostConfigPaths(env, platform);
  const chosen = apps as readonly App[];
  const migrationSources: MigrationSource[] = chosen.map((app) => ({ app, path: paths[app], within: [] }));
  // VS Code before its mcp.json (1.102) kept servers in the user settings, under "mcp".
  if (chosen.includes('vscode')) migrationSources.push({ app: 'vscode', path: join(dirname(paths.vscode), 'settings.json'), within: ['mcp'] });
  return Object.freeze({
    serverUrl,
    apps: chosen,
    name,
    write: raw.write === true,
    migrate,
    proxyArgs: Object.freeze([...(raw.proxyArgs ?? [])]),
    paths: Object.freeze(paths),
    migrationSources: Object.freeze(migrationSources),
    // A path as the proxy reads it from a flag: ~/ and ${VAR} are expanded (option-values.ts).
    headerFileDir:
      platform === 'win32'
        ? '${APPDATA}\\mcp-auth-proxy'
        : platform === 'darwin'
          ? '~/Library/Application Support/mcp-auth-proxy'
          : env['XDG_CONFIG_HOME']
            ? join(env['XDG_CONFIG_HOME'], 'mcp-auth-proxy')
            : '~/.config/mcp-auth-proxy',
  });
}
