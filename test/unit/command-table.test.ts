import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS, PROXY } from '../../src/command-table.js';
import { DEFAULTS } from '../../src/config.js';
import { OPTIONS } from '../../src/option-table.js';

describe('the command table', () => {
  it("doctor takes every option of the proxy, so that a host's arguments can be checked as they are", () => {
    for (const name of PROXY.options) expect(COMMANDS.doctor.options, name).toContain(name);
  });

  it('no command lists an option twice (commander would reject it)', () => {
    for (const name of COMMAND_NAMES) expect(new Set(COMMANDS[name].options).size, name).toBe(COMMANDS[name].options.length);
    expect(new Set(PROXY.options).size).toBe(PROXY.options.length);
  });

  it("the defaults shown in --help are the config's", () => {
    expect(OPTIONS.transport.default).toBe(DEFAULTS.transport);
    expect(OPTIONS.protocol.default).toBe(DEFAULTS.protocol);
    expect(OPTIONS.grant.default).toBe(DEFAULTS.grant);
    expect(OPTIONS.logLevel.default).toBe(DEFAULTS.logLevel);
    expect(OPTIONS.timeout.help).toContain(`(default: ${DEFAULTS.timeoutSeconds})`);
    expect(OPTIONS.authTimeout.help).toContain(`(default: ${DEFAULTS.authTimeoutSeconds})`);
  });
});
