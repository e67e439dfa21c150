import { describe, expect, it } from 'vitest';
import { describeProxy, proxyFor, tlsProblem } from '../../src/commands/doctor-network.js';
import { errorCode as codeOf } from '../../src/http/network-problem.js';
import { failure } from '../../src/commands/doctor.js';
import { refusal } from '../../src/commands/doctor-mcp.js';
import { ProxyError } from '../../src/errors.js';

const https = new URL('https://mcp.example.com/mcp');
const http = new URL('http://127.0.0.1:8080/mcp');

describe('proxyFor (the rules of undici EnvHttpProxyAgent)', () => {
  it('no variables: no proxy', () => {
    expect(proxyFor(https, {})).toEqual({ proxy: undefined, exemptBy: undefined });
  });

  it('https URLs take HTTPS_PROXY, else HTTP_PROXY; http URLs only HTTP_PROXY', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:1' }).proxy).toEqual({ variable: 'HTTPS_PROXY', url: 'http://s:1' });
    expect(proxyFor(https, { HTTP_PROXY: 'http://p:1' }).proxy).toEqual({ variable: 'HTTP_PROXY', url: 'http://p:1' });
    expect(proxyFor(http, { HTTPS_PROXY: 'http://s:1' }).proxy).toBeUndefined();
    expect(proxyFor(http, { http_proxy: 'http://low:1', HTTP_PROXY: 'http://up:1' }).proxy).toEqual({ variable: 'http_proxy', url: 'http://low:1' });
  });

  it('an empty lower-case variable hides the upper-case one, as `??` does', () => {
    expect(proxyFor(https, { https_proxy: '', HTTPS_PROXY: 'http://s:1' }).proxy).toBeUndefined();
  });

  it('NO_PROXY: exact hosts, domain suffixes, host:port, *', () => {
    const env = { HTTPS_PROXY: 'http://s:1' };
    expect(proxyFor(https, { ...env, NO_PROXY: 'example.com' }).exemptBy).toEqual({ variable: 'NO_PROXY', entry: 'example.com' });
    expect(proxyFor(https, { ...env, NO_PROXY: '.example.com' }).proxy).toBeUndefined();
    expect(proxyFor(https, { ...env, no_proxy: '*.example.com' }).exemptBy).toEqual({ variable: 'no_proxy', entry: '*.example.com' });
    expect(proxyFor(https, { ...env, NO_PROXY: 'mcp.example.com:8443' }).proxy).toEqual({ variable: 'HTTPS_PROXY', url: 'http://s:1' });
    expect(proxyFor(https, { ...env, NO_PROXY: 'mcp.example.com:443' }).proxy).toBeUndefined();
    expect(proxyFor(https, { ...env, NO_PROXY: '*' }).exemptBy?.entry).toBe('*');
    expect(proxyFor(https, { ...env, NO_PROXY: 'ample.com, other' }).proxy).toBeDefined();
  });
});

describe('describeProxy', () => {
  it('says what carries the requests, without the proxy credentials', () => {
    const finding = describeProxy(https, proxyFor(https, { HTTPS_PROXY: 'http://user:p4ssw0rd@proxy.corp:3128' }));
    expect(finding.ok).toBe(true);
    expect(finding.detail).toContain('http://proxy.corp:3128 (from HTTPS_PROXY)');
    expect(finding.detail).not.toContain('p4ssw0rd');
  });

  it('notes that loopback is not exempt by itself', () => {
    expect(describeProxy(http, proxyFor(http, { HTTP_PROXY: 'http://p:1' })).detail).toContain('add 127.0.0.1 to NO_PROXY');
  });

  it('a proxy variable that is not a URL is ✗', () => {
    const finding = describeProxy(https, proxyFor(https, { HTTPS_PROXY: 'proxy.corp' }));
    expect(finding.ok).toBe(false);
    expect(finding.hint).toContain('HTTPS_PROXY');
  });
});

describe('tlsProblem', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', '--ca-file'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed root', 'NODE_EXTRA_CA_CERTS'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown CA', '--ca-file'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown CA', '--ca-file'],
    ['CERT_HAS_EXPIRED', 'expired', 'renew'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'hostname mismatch', 'host name'],
    ['SOMETHING_NEW', 'not trusted (SOMETHING_NEW)', '--ca-file'],
  ])('%s', (code, problem, hint) => {
    const named = tlsProblem(code, undefined, 'mcp.example.com');
    expect(named.problem).toContain(problem);
    expect(named.hint).toContain(hint);
  });
});

describe('codeOf', () => {
  it('finds the innermost system code in a cause chain', () => {
    const inner = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    const wrapped = Object.assign(new Error('y', { cause: inner }), { code: 'UND_ERR_SOCKET' });
    expect(codeOf(new ProxyError('REMOTE_UNREACHABLE', 'z', { cause: wrapped }))).toBe('ECONNREFUSED');
    expect(codeOf(Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))).toBe('ETIMEDOUT');
  });
});

describe('failure: every error becomes a ✗ with a fix; authorization problems are marked', () => {
  const context = { timeoutMs: 20_000, login: 'mcp-auth-proxy login https://mcp.example.com/mcp', credentials: 'oauth' as const };

  it('authorization codes', () => {
    for (const code of ['AUTH_DISCOVERY', 'AUTH_PKCE_UNSUPPORTED', 'AUTH_REGISTRATION', 'UNAUTHORIZED', 'FORBIDDEN'] as const) {
      const outcome = failure(new ProxyError(code, 'm'), context);
      expect(outcome).toMatchObject({ ok: false, auth: true, detail: 'm' });
      expect(outcome.hint).toBeTruthy();
    }
    expect(failure(new ProxyError('UNAUTHORIZED', 'm'), context).hint).toContain('login https://mcp.example.com/mcp --force');
    expect(failure(new ProxyError('AUTH_PKCE_UNSUPPORTED', 'm'), context).hint).toContain('--assume-pkce');
  });

  it('other failures', () => {
    expect(failure(new ProxyError('REMOTE_HTTP_STATUS', 'm', { status: 404 }), context)).toMatchObject({ ok: false, auth: false });
    expect(failure(new ProxyError('REMOTE_HTTP_STATUS', 'm', { status: 404 }), context).hint).toContain('path');
    expect(failure(new ProxyError('REMOTE_TLS', 'm'), context).hint).toContain('--ca-file');
    const timeout = failure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), context);
    expect(timeout).toMatchObject({ ok: false, detail: 'no answer within 20 s' });
    expect(timeout.hint).toContain('--timeout');
  });
});

describe('refusal', () => {
  const url = new URL('https://mcp.example.com/mcp');
  it('names what the server said, never what was sent', () => {
    const refused = refusal(
      { status: 401, wwwAuthenticate: ['Bearer error="invalid_token", error_description="expired"'], url, sent: 'Bearer s3cr3t-token' },
      'oauth',
    );
    expect(refused.code).toBe('UNAUTHORIZED');
    expect(refused.message).toContain('stored access token');
    expect(refused.message).toContain('invalid_token: "expired"');
    expect(refused.message).not.toContain('s3cr3t');
    const none = refusal({ status: 401, wwwAuthenticate: [], url, sent: undefined }, 'oauth');
    expect(none.message).toContain('no credentials to send');
    const scope = refusal({ status: 403, wwwAuthenticate: ['Bearer error="insufficient_scope", scope="admin"'], url, sent: 'Bearer x' }, 'static');
    expect(scope.code).toBe('FORBIDDEN');
    expect(scope.message).toContain('lacks a scope it needs (admin)');
  });
});
