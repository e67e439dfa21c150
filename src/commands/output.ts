/**
 * Where the credential commands write: `print` for what the user asked for (stdout), `say` for
 * everything else (stderr). Both pass through the redaction of every log line; `printSecret`,
 * the `token` command's one line, is the only output that does not. stdout itself is handed
 * over by cli.ts (setOutput): outside the stdio transport, only the command line writes there.
 */
import { redact } from '../log.js';

let output: (text: string) => void = () => undefined;

/** Called by cli.ts before a command runs. */
export function setOutput(write: (text: string) => void): void {
  output = write;
}

export function print(text: string): void {
  output(`${redact(text.replace(/\n$/, ''))}\n`);
}

/** The one unredacted output: the token the user asked `mcp-auth-proxy token` for. */
export function printSecret(text: string): void {
  output(`${text}\n`);
}

export function say(text: string): void {
  process.stderr.write(`${redact(`mcp-auth-proxy: ${text}`)}\n`);
}
