/**
 * Opening the authorization URL. Never through a shell: the default opener is the `open`
 * package, a --browser command is split into words and run directly with the URL as its last
 * argument, and only http(s) URLs are ever opened. The URL is always printed to stderr as well.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ProxyError } from '../errors.js';
import { log } from '../log.js';
import { launchFailure } from './browser-failure.js';
import { announceSignIn } from './sign-in-notice.js';

/**
 * Why no browser can be opened on this machine, or undefined when one can: `--browser none`; or,
 * with no --browser given, an SSH session (SSH_CONNECTION / SSH_TTY: a browser would open on the
 * remote machine's screen, if anywhere) or a Unix without a display (neither DISPLAY nor
 * WAYLAND_DISPLAY). macOS and Windows always have one.
 */
export function noBrowserReason(
  browser: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (browser === 'none') return '--browser none';
  if (browser !== undefined) return undefined;
  if (env['SSH_CONNECTION'] || env['SSH_TTY']) return 'this is an SSH session';
  if (platform !== 'darwin' && platform !== 'win32' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY'])
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)';
  return undefined;
}

/** Splits a command line into words, honouring single and double quotes (no shell expansion). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) {
    words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return words;
}

/**
 * Opens url with the chosen browser ('none' only prints); resolves once it was handed over.
 * `onFailure` hears, a moment later, when the browser did not start or exited non-zero at once
 * (browser-failure.ts); the failure is said on stderr in any case.
 */
export async function openBrowser(url: URL, browser: string | undefined, onFailure?: (reason: string) => void): Promise<void> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProxyError('AUTH_BROWSER', `refusing to open a ${url.protocol} URL as the authorization page`);
  }
  log.notice(`sign-in needed: open this URL in a browser if it did not open by itself:\n  ${url.href}`);
  announceSignIn({ url: url.href });
  if (browser === 'none') return;
  if (browser !== undefined) {
    const [command, ...args] = splitCommand(browser);
    if (!command) return;
    const child = spawn(command, [...args, url.href], { stdio: 'ignore', detached: true, shell: false });
    watch(child, command, onFailure);
    child.unref();
    return;
  }
  try {
    const { default: open } = await import('open');
    watch(await open(url.href, { wait: false }), 'the system browser opener', onFailure);
  } catch (error) {
    failed(`could not start the system browser opener: ${(error as Error).message}`, onFailure);
  }
}

function watch(child: ChildProcess, command: string, onFailure: ((reason: string) => void) | undefined): void {
  child.on('error', () => undefined); // reported through launchFailure; never an uncaught 'error'
  void launchFailure(child, command).then((reason) => reason !== undefined && failed(reason, onFailure));
}

function failed(reason: string, onFailure: ((reason: string) => void) | undefined): void {
  log.warn(`the browser could not be opened (${reason}); open the sign-in URL above yourself`);
  onFailure?.(reason);
}
