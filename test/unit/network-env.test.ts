// The network environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY in either case, NODE_EXTRA_CA_CERTS)
// is resolved in config from the environment it is given, so the HTTP client and `doctor` read it
// from one place.
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/config.js';

describe('buildNetwork environment', () => {
  it.each([
    ['none set', {}, undefined],
    ['both cases kept, others ignored', { HTTPS_PROXY: 'http://s:1', no_proxy: 'a', PATH: '/bin' }, { HTTPS_PROXY: 'http://s:1', no_proxy: 'a' }],
    [
      'an empty value is kept (it hides the upper-case one, as in undici)',
      { https_proxy: '', HTTPS_PROXY: 'http://s:1' },
      { https_proxy: '', HTTPS_PROXY: 'http://s:1' },
    ],
    ['NO_PROXY alone', { NO_PROXY: '*' }, { NO_PROXY: '*' }],
  ])('proxy variables: %s', (_name, env, expected) => {
    expect(buildNetwork({}, env).proxyVariables).toEqual(expected);
  });

  it.each([
    ['unset', {}, undefined],
    ['empty', { NODE_EXTRA_CA_CERTS: '' }, undefined],
    ['set', { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }, '/etc/ca.pem'],
  ])('NODE_EXTRA_CA_CERTS: %s', (_name, env, expected) => {
    expect(buildNetwork({}, env).extraCaCertsFile).toBe(expected);
  });
});
