// translateCompatArgv: supergateway's and mcp-remote's spellings → ours, as a vector table.
import { describe, expect, it } from 'vitest';
import { translateCompatArgv } from '../../src/compat-argv.js';
import { UsageError } from '../../src/errors.js';

const U = 'https://example.com/mcp';

const VECTORS: Array<[string, string[], string[]]> = [
  // ours pass through untouched
  ['our own line', [U, '--transport', 'sse', '-H', 'A: b', '--log-level', 'debug'], [U, '--transport', 'sse', '-H', 'A: b', '--log-level', 'debug']],
  ['our --flag=value', [U, '--scope=read write'], [U, '--scope=read write']],
  ['a command', ['login', U, '--force'], ['login', U, '--force']],
  ['after --', [U, '--', '--sse'], [U, '--', '--sse']],
  // supergateway
  ['--sse', ['--sse', U, '--oauth2Bearer', 't'], [U, '--transport', 'sse', '--oauth2Bearer', 't']],
  ['--sse=', ['--sse=' + U], [U, '--transport', 'sse']],
  ['--streamableHttp', ['--streamableHttp', U], [U, '--transport', 'streamable-http']],
  ['--streamable-http (yargs kebab)', ['--streamable-http', U], [U, '--transport', 'streamable-http']],
  ['--oauth2-bearer (yargs kebab)', [U, '--oauth2-bearer', 't'], [U, '--oauth2Bearer', 't']],
  ['--outputTransport stdio dropped', ['--sse', U, '--outputTransport', 'stdio'], [U, '--transport', 'sse']],
  ['--logLevel none = error', ['--sse', U, '--logLevel', 'none'], [U, '--transport', 'sse', '--log-level', 'error']],
  ['--logLevel info', ['--sse', U, '--logLevel', 'info'], [U, '--transport', 'sse', '--log-level', 'info']],
  ['--log-level none (kebab)', [U, '--log-level', 'none'], [U, '--log-level', 'error']],
  [
    'supergateway --header array',
    ['--sse', U, '--header', 'A: 1', 'B: 2', '--oauth2Bearer', 't'],
    [U, '--transport', 'sse', '--header', 'A: 1', '--header', 'B: 2', '--oauth2Bearer', 't'],
  ],
  ['a URL after a header is no header', ['--header', 'A: 1', U], ['--header', 'A: 1', U]],
  ['--protocolVersion dropped', ['--sse', U, '--protocolVersion', '2024-11-05'], [U, '--transport', 'sse']],
  // mcp-remote
  ['positional callback port', [U, '9696'], [U, '--callback-port', '9696']],
  ['positional port after options', [U, '--header', 'A: 1', '9696'], [U, '--header', 'A: 1', '--callback-port', '9696']],
  ['an option value that is a number is no port', [U, '--auth-timeout', '60'], [U, '--auth-timeout', '60']],
  ['--host', [U, '--host', 'localhost'], [U, '--callback-host', 'localhost']],
  ['--debug', [U, '--debug'], [U, '--log-level', 'debug']],
  ['--silent', [U, '--silent'], [U, '--log-level', 'error']],
  ['--transport http-first', [U, '--transport', 'http-first'], [U, '--transport', 'auto']],
  ['--transport sse-first', [U, '--transport', 'sse-first'], [U, '--transport', 'sse-first']],
  ['--transport http-only', [U, '--transport', 'http-only'], [U, '--transport', 'streamable-http']],
  ['--transport sse-only', [U, '--transport', 'sse-only'], [U, '--transport', 'sse']],
  ['--client-credentials', [U, '--client-credentials'], [U, '--grant', 'client_credentials']],
  ['--device-code', [U, '--device-code'], [U, '--browser', 'none']],
  ['--disable-resource-parameter', [U, '--disable-resource-parameter'], [U, '--no-resource']],
  ['--resource ""', [U, '--resource', ''], [U, '--no-resource']],
  ['--resource uri', [U, '--resource', 'https://t.example/'], [U, '--resource', 'https://t.example/']],
  ['--disable-cookies', [U, '--disable-cookies'], [U, '--no-cookies']],
  ['--enable-proxy dropped', [U, '--enable-proxy'], [U]],
  ['--keep-alive', [U, '--keep-alive'], [U, '--keepalive', '30']],
  ['--ping-interval', [U, '--ping-interval', '15'], [U, '--keepalive', '15']],
  ['--keep-alive with --ping-interval', [U, '--keep-alive', '--ping-interval', '15'], [U, '--keepalive', '15']],
  [
    '--header-file, --ignore-tool, --ipv4 are ours',
    [U, '--header-file', 'h.txt', '--ignore-tool', 'x*', '--ipv4'],
    [U, '--header-file', 'h.txt', '--ignore-tool', 'x*', '--ipv4'],
  ],
];

describe('translateCompatArgv', () => {
  it.each(VECTORS)('%s', (_name, input, expected) => {
    expect(translateCompatArgv(input).argv).toEqual(expected);
  });

  it('notes what it accepts without effect, never a value of another flag', () => {
    const { notes } = translateCompatArgv(['--sse', U, '--oauth2Bearer', 'secret-t', '--protocolVersion', '2025-03-26', '--enable-proxy']);
    expect(notes).toHaveLength(2);
    expect(notes.join('\n')).not.toContain('secret-t');
  });

  it.each([
    ['--stdio', 'cmd'],
    ['--port', '8000'],
    ['--baseUrl', 'http://x'],
    ['--ssePath', '/sse'],
    ['--messagePath', '/m'],
    ['--cors'],
    ['--healthEndpoint', '/h'],
    ['--stateful'],
    ['--sessionTimeout', '1'],
    ['--streamableHttpPath', '/mcp'],
    ['--outputTransport', 'ws'],
  ])('refuses supergateway server mode %s', (...args) => {
    expect(() => translateCompatArgv(['--sse', U, ...args])).toThrow(/does not serve a stdio server/);
    expect(() => translateCompatArgv(['--sse', U, ...args])).toThrow(UsageError);
  });

  it('refuses --sse and --streamableHttp together', () => {
    expect(() => translateCompatArgv(['--sse', U, '--streamableHttp', U])).toThrow(/give one server/);
  });

  it('leaves unknown options for commander', () => {
    expect(translateCompatArgv([U, '--no-such', 'x']).argv).toEqual([U, '--no-such', 'x']);
  });
});
