/**
 * Where the credential commands write: `print` for what the user asked for (stdout), `say` for
 * everything else (stderr). Both pass through the redaction of every log line; the `token`
 * command's one line is the only output that does not.
 */
import { redact } from '../log.js';

export function print(text: string): void {
  process.stdout.write(`${redact(text.replace(/\n$/, ''))}\n`);
}

export function say(text: string): void {
  process.stderr.write(`${redact(`mcp-auth-proxy: ${text}`)}\n`);
}
