// The MCP server's cookies: its origin only, paths, expiry (RFC 6265 §5.2–5.4, narrowed to one origin).
import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/http/cookie-jar.js';

const O = 'https://mcp.example.com';

describe('CookieJar', () => {
  it('sends back what the origin set, and nothing to another origin', () => {
    const jar = new CookieJar(O);
    jar.store(new URL(`${O}/mcp`), ['AWSALB=pin-1; Path=/; Expires=Wed, 01 Jan 2099 00:00:00 GMT', 'lb=b2; Secure; HttpOnly']);
    expect(jar.header(new URL(`${O}/mcp`))).toBe('AWSALB=pin-1; lb=b2');
    expect(jar.header(new URL('https://auth.example.com/token'))).toBeUndefined();
    expect(jar.header(new URL('https://mcp.example.com:8443/mcp'))).toBeUndefined();
  });

  it('ignores Set-Cookie from another origin, even with a Domain attribute', () => {
    const jar = new CookieJar(O);
    jar.store(new URL('https://auth.example.com/'), ['sid=x; Domain=example.com']);
    expect(jar.size).toBe(0);
  });

  it('replaces, expires (Max-Age over Expires) and deletes', () => {
    let now = 1_000_000;
    const jar = new CookieJar(O, () => now);
    const url = new URL(`${O}/mcp`);
    jar.store(url, ['a=1; Max-Age=10; Expires=Wed, 01 Jan 2099 00:00:00 GMT', 'b=1']);
    jar.store(url, ['b=2']);
    expect(jar.header(url)).toBe('a=1; b=2');
    now += 11_000;
    expect(jar.header(url)).toBe('b=2');
    jar.store(url, ['b=gone; Max-Age=0']);
    expect(jar.header(url)).toBeUndefined();
  });

  it('matches paths and keeps Secure cookies off plain http', () => {
    const jar = new CookieJar('http://127.0.0.1:9');
    jar.store(new URL('http://127.0.0.1:9/api/mcp'), ['p=1; Path=/api', 'q=1; Path=/other', 's=1; Secure', 'd=1']);
    expect(jar.header(new URL('http://127.0.0.1:9/api/mcp'))).toBe('p=1; d=1');
    expect(jar.header(new URL('http://127.0.0.1:9/apix'))).toBeUndefined();
  });
});
