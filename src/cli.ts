/**
 * The command line's wiring: the tables of commands (command-table.ts) and options
 * (option-table.ts) registered with commander, dispatch, and exit codes. The only place that calls
 * process.exit.
 * `mcp-auth-proxy <server-url>` runs the proxy; the commands `login`, `logout`, `status` and
 * `token` manage the stored credentials; `doctor` checks a server end to end; `config` writes
 * hosts' entries. Each run loads only
 * the code it needs.
 * Exit codes: 0 done, 1 failure, 2 usage error (bad flag, URL or environment), 3 authorization
 * problem (a command's sign-in failed, was declined or was refused).
 */
import { Command, CommanderError, Option } from 'commander';
import { joinSplitHeaders } from './argv.js';
import { translateCompatArgv } from './compat-argv.js';
import { COMMAND_NAMES, COMMANDS, PROXY, type CommandName } from './command-table.js';
import type { RawOptions } from './config.js';
import { isAuthProblem, UsageError } from './errors.js';
import { addSecret, redact } from './log.js';
import { OPTIONS, type OptionName, type OptionSpec } from './option-table.js';
import { VERSION } from './version.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3 } as const;

interface Invocation {
  command: 'proxy' | CommandName;
  url: string | undefined;
  options: RawOptions;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function addOptions(command: Command, names: readonly OptionName[]): Command {
  for (const name of names) {
    const spec: OptionSpec = OPTIONS[name];
    const option = new Option(spec.flags, spec.help);
    if (spec.choices) option.choices(spec.choices);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.repeatable) option.argParser(collect);
    if (spec.hidden) option.hideHelp();
    command.addOption(option);
  }
  return command;
}

function program(onRun: (run: Invocation) => void, argv: readonly string[]): Command {
  const cli = new Command()
    .name('mcp-auth-proxy')
    .usage(PROXY.usage)
    .description(PROXY.description)
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .argument(...PROXY.argument)
    // Options after a command's name are that command's (mcp-auth-proxy login <url> --scope x).
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`mcp-auth-proxy: ${text.replace(/^error: /, '')}`),
    });
  addOptions(cli, PROXY.options);
  cli.addHelpText('after', PROXY.examples).action((serverUrl: string, opts: RawOptions, self: Command) => {
    const suggestion = misspeltCommand(serverUrl);
    if (suggestion) throw new UsageError('INVALID_URL', `"${serverUrl}" is neither a URL nor a command; did you mean ${suggestion}?`);
    if (self.args.length > 1) throw new UsageError('INVALID_OPTION', `too many arguments: expected one server URL, got ${self.args.length}`);
    onRun({ command: 'proxy', url: serverUrl, options: opts });
  });

  // Subcommands inherit the settings above (output, exit override, help option, suggestions).
  for (const name of COMMAND_NAMES) {
    const spec = COMMANDS[name];
    const sub = cli
      .command(name)
      .summary(spec.summary)
      .description(spec.description)
      .argument(...spec.argument);
    addOptions(sub, spec.options);
    if (spec.usage) sub.usage(spec.usage);
    sub.addHelpText('after', spec.examples);
    if (spec.passThrough) {
      sub.allowExcessArguments().action((_url: string | undefined, _opts: RawOptions, self: Command) => {
        const { url, rest } = splitAtDashDash(self, argv);
        onRun({ command: name, url, options: { ...inheritedOptions(self), proxyArgs: rest } });
      });
    } else {
      sub.action((serverUrl: string | undefined, _opts: RawOptions, self: Command) =>
        onRun({ command: name, url: serverUrl, options: inheritedOptions(self) }),
      );
    }
  }
  // After the commands, which keep refusing extra arguments: the action above checks them, so
  // that `mcp-auth-proxy logni <url>` hears about the command it meant.
  return cli.allowExcessArguments();
}

/**
 * A command's options, plus those given before its name (mcp-auth-proxy --auth-dir x status),
 * which commander hands to the program: used when the command has them, a usage error otherwise.
 */
function inheritedOptions(command: Command): RawOptions {
  const parent = command.parent!;
  const merged: Record<string, unknown> = { ...command.opts() };
  for (const option of parent.options) {
    const key = option.attributeName();
    if (parent.getOptionValueSource(key) !== 'cli') continue;
    if (!command.options.some((o) => o.attributeName() === key)) {
      throw new UsageError('INVALID_OPTION', `${option.long ?? option.flags} does not apply to "${command.name()}"`);
    }
    const value = parent.getOptionValue(key) as unknown;
    if (key === 'header') merged[key] = [...((value as string[] | undefined) ?? []), ...((merged[key] as string[] | undefined) ?? [])];
    else if (command.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged as RawOptions;
}

/**
 * `config <url> -- <proxy options>`: commander hands every operand over in one list; those after
 * `--` (counted on the command line as given) are the proxy's options, the one before it the URL.
 */
function splitAtDashDash(command: Command, argv: readonly string[]): { url: string | undefined; rest: string[] } {
  const at = argv.indexOf('--');
  const after = at < 0 ? 0 : argv.length - at - 1;
  const before = command.args.slice(0, command.args.length - after);
  if (before.length > 1)
    throw new UsageError('INVALID_OPTION', `too many arguments: expected one server URL, got ${before.length} (put the proxy's options after --)`);
  return { url: before[0], rest: command.args.slice(command.args.length - after) };
}

/** `mcp-auth-proxy logni`: a word where the URL goes that is close to a command's name. */
function misspeltCommand(url: string): string | undefined {
  if (url.includes(':') || url.includes('/')) return undefined;
  return COMMAND_NAMES.find((name) => editDistance(url.toLowerCase(), name) <= 2);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Builds the config (usage errors surface here), registers its secrets with the log's redaction, then runs. */
async function run({ command, url, options }: Invocation): Promise<number> {
  const start = command === 'proxy' ? PROXY.start(url!, options, process.env) : COMMANDS[command].start(url, options, process.env);
  for (const secret of start.secrets) addSecret(secret);
  return start.run();
}

async function main(argv: readonly string[]): Promise<number> {
  let invocation: Invocation | undefined;
  try {
    // supergateway's and mcp-remote's spellings become ours first (compat-argv.ts).
    const compat = translateCompatArgv(joinSplitHeaders(argv));
    program((run) => void (invocation = run), compat.argv).parse(compat.argv, { from: 'user' });
    if (invocation && compat.notes.length > 0) invocation.options = { ...invocation.options, compatNotes: compat.notes };
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcp-auth-proxy: ${redact(error.message)}\nRun mcp-auth-proxy --help for usage.\n`);
    return EXIT.usage;
  }
  if (!invocation) return EXIT.ok;
  const { command } = invocation;
  // A command may wait for the browser on the callback listener, which is unref'd (a proxy's
  // lifetime is its host's stdin): keep the process alive until the command is done.
  const alive = command === 'proxy' ? undefined : setInterval(() => undefined, 60_000);
  if (command !== 'proxy') {
    // A command's requested output (a table, a token) goes to stdout; cli.ts hands it over.
    const { setOutput } = await import('./commands/output.js');
    setOutput((text) => process.stdout.write(text));
  }
  try {
    return await run(invocation);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mcp-auth-proxy: ${redact(error.message)}\nRun mcp-auth-proxy${command === 'proxy' ? '' : ` ${command}`} --help for usage.\n`);
      return EXIT.usage;
    }
    process.stderr.write(`mcp-auth-proxy: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    // A proxy run answers authorization problems to the host; only a command exits with them.
    return command !== 'proxy' && isAuthProblem(error) ? EXIT.auth : EXIT.failure;
  } finally {
    clearInterval(alive);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-auth-proxy: ${redact(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(EXIT.failure);
  },
);
