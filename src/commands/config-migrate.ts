/**
 * `mcp-auth-proxy config --migrate [--app <host>] [--write]`: finds, in every host's config file on
 * this machine, the entries that run mcp-remote or supergateway, and shows each one before and
 * after its rewrite side by side (migrate-entry.ts), with a note for whatever changed meaning or
 * was dropped. `--write` applies the rewrites, one atomic write (and one `.bak`) per file. Values
 * that look secret are shown redacted. A file that does not parse is named and left alone.
 */
import type { App, ConfigCommandConfig } from '../config-hosts.js';
import { isProxyError } from '../errors.js';
import { addSecret, redact } from '../log.js';
import { HOSTS } from './host-formats.js';
import { hostServers, readHostFile, withServer, writeHostFile } from './host-file.js';
import { migrateEntry, type Migration } from './migrate-entry.js';
import { print, say } from './output.js';
import { emitCodexServer } from './toml-edit.js';

const SECRET_NAME = /token|secret|key|password|auth|bearer|cookie|credential|header/i;

/** Registers the values of an entry that look secret, so that print() redacts them. */
function hideSecrets(entry: Record<string, unknown>): void {
  const env = entry['env'];
  if (env !== null && typeof env === 'object') {
    for (const [name, value] of Object.entries(env)) if (SECRET_NAME.test(name) && typeof value === 'string' && !value.includes('${')) addSecret(value);
  }
  const args = Array.isArray(entry['args']) ? entry['args'].map(String) : [];
  args.forEach((arg, i) => {
    if (/^--(oauth2Bearer|client-secret)$/.test(args[i - 1] ?? '')) addSecret(arg);
    const header = /^(?:--header|-H)$/.test(args[i - 1] ?? '') ? /^([^:]+):\s*(.+)$/.exec(arg) : null;
    if (header && SECRET_NAME.test(header[1]!) && !header[2]!.includes('${')) addSecret(header[2]!.replace(/^(Bearer|Basic)\s+/i, ''));
  });
}

/** How the file holds the entry: JSON for JSON hosts, the TOML table for Codex. */
function shown(app: App, name: string, entry: Record<string, unknown>): string {
  if (HOSTS[app].file === 'json') return JSON.stringify({ [name]: entry }, null, 2);
  const { command, args, env, env_vars: envVars, ...extra } = entry;
  return emitCodexServer(name, {
    command: String(command),
    args: Array.isArray(args) ? args.map(String) : [],
    env: env as Record<string, string> | undefined,
    envVars: Array.isArray(envVars) ? envVars.map(String) : undefined,
    extra,
  }).trimEnd();
}

/** Two texts in columns: before │ after (redacted first, so that the columns stay aligned). */
function sideBySide(left: string, right: string): string {
  const a = left.split('\n').map(redact);
  const b = right.split('\n').map(redact);
  const width = Math.max(6, ...a.map((l) => l.length));
  const rows = [`${'before'.padEnd(width)} │ after (mcp-auth-proxy)`, `${'─'.repeat(width)}─┼─${'─'.repeat(24)}`];
  for (let i = 0; i < Math.max(a.length, b.length); i++) rows.push(`${(a[i] ?? '').padEnd(width)} │ ${b[i] ?? ''}`.trimEnd());
  return rows.join('\n');
}

interface Found {
  readonly name: string;
  readonly keyPath: readonly string[];
  readonly migration: Migration;
}

export async function runMigrate(config: ConfigCommandConfig): Promise<number> {
  let failed = false;
  let count = 0;
  const checked: string[] = [];
  for (const { app, path, within } of config.migrationSources) {
    const text = readHostFile(path);
    if (text === undefined) continue;
    checked.push(path);
    let servers;
    try {
      servers = hostServers(app, path, text, within);
    } catch (error) {
      if (!isProxyError(error, 'HOST_CONFIG_INVALID')) throw error;
      say(error.message);
      failed = true;
      continue;
    }
    const found: Found[] = [];
    for (const { name, keyPath, entry } of servers) {
      const result = migrateEntry(entry);
      if (result === undefined) continue;
      const where = keyPath.length > 2 ? ` (${keyPath.slice(0, -1).join(' → ')})` : '';
      if ('skipped' in result) {
        print(`# ${HOSTS[app].label}: ${path}\n# "${name}"${where} runs ${result.tool} but is left as it is: ${result.skipped}\n\n`);
        continue;
      }
      hideSecrets(entry);
      hideSecrets(result.entry);
      found.push({ name, keyPath, migration: result });
      const notes = result.notes.map((n) => `#   ${n}`);
      print(
        [
          `# ${HOSTS[app].label}: ${path}, "${name}"${where} (${result.tool})`,
          sideBySide(shown(app, name, entry), shown(app, name, result.entry)),
          ...notes,
        ].join('\n') + '\n\n',
      );
    }
    count += found.length;
    if (config.write && found.length > 0) {
      let next = text;
      for (const { name, keyPath, migration } of found) {
        next = withServer(app, path, next, keyPath, HOSTS[app].file === 'toml' ? shown(app, name, migration.entry) + '\n' : migration.entry);
      }
      const backup = writeHostFile(path, next, text);
      say(
        `rewrote ${found.length} entr${found.length === 1 ? 'y' : 'ies'} in ${path} (the previous file is ${backup}); restart ${HOSTS[app].label} to use ${found.length === 1 ? 'it' : 'them'}`,
      );
    }
  }
  if (count === 0) print(`No entry runs mcp-remote or supergateway in ${checked.length === 0 ? 'any host config file on this machine' : checked.join(', ')}.`);
  else if (!config.write)
    print(`${count} entr${count === 1 ? 'y' : 'ies'} to rewrite. Run mcp-auth-proxy config --migrate --write to apply (a .bak copy of each file is kept).`);
  return failed ? 1 : 0;
}
