/**
 * HTTP to authorization servers and metadata hosts. Only what OAuth needs goes out: never the MCP
 * token, never custom --header values. Answers are checked at the boundary in a fixed order
 * (status, content type, JSON, object) before any field is read, and every URL taken from a
 * document is checked before use. Every request here is marked namedByServer: its URL came from
 * a server (or is derived from one that did), so the run's UrlPolicy applies (SSRF, RFC 9728 §7.7).
 */
import { ProxyError, type ProxyErrorCode } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { mediaType } from '../http/media-type.js';
import { isLoopbackHost } from '../url.js';

export interface OAuthHttpOptions {
  /** Allow http:// off loopback (the user's --allow-http). */
  allowHttp: boolean;
  /** MCP-Protocol-Version sent on discovery requests (2025-03-26 "Server Metadata Discovery"). */
  protocolVersion?: string | undefined;
}

export type JsonObject = Record<string, unknown>;

export interface JsonAnswer {
  status: number;
  body: JsonObject | undefined;
  /** Why the body is not a JSON object, when it is not. */
  problem: string | undefined;
  /** RFC 9449 §8: the DPoP-Nonce header of the answer, when there was one. */
  dpopNonce?: string | undefined;
}

const MAX_BODY = 1024 * 1024;

export async function getJson(http: HttpClient, url: URL, options: OAuthHttpOptions, signal?: AbortSignal): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.protocolVersion) headers['mcp-protocol-version'] = options.protocolVersion;
  return readJson(await http.request({ url, method: 'GET', headers, signal, namedByServer: true }));
}

export async function postJson(http: HttpClient, url: URL, body: JsonObject, signal?: AbortSignal): Promise<JsonAnswer> {
  const headers = { accept: 'application/json', 'content-type': 'application/json' };
  return readJson(await http.request({ url, method: 'POST', headers, body: JSON.stringify(body), signal, namedByServer: true }));
}

export async function postForm(
  http: HttpClient,
  url: URL,
  form: Record<string, string | undefined>,
  extraHeaders: Record<string, string>,
  signal?: AbortSignal,
): Promise<JsonAnswer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) params.set(k, v);
  const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders };
  return readJson(await http.request({ url, method: 'POST', headers, body: params.toString(), signal, namedByServer: true }));
}

async function readJson(res: HttpResponse): Promise<JsonAnswer> {
  const answer = await readBody(res);
  const dpopNonce = res.header('dpop-nonce');
  return dpopNonce === undefined ? answer : { ...answer, dpopNonce };
}

async function readBody(res: HttpResponse): Promise<JsonAnswer> {
  let text = '';
  try {
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_BODY) {
        res.body.destroy();
        return { status: res.status, body: undefined, problem: 'the answer is larger than 1 MiB' };
      }
    }
  } catch (error) {
    return { status: res.status, body: undefined, problem: `the answer broke off (${(error as Error).message})` };
  }
  const type = mediaType(res.header('content-type'));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const what = type === 'text/html' || /^\s*</.test(text) ? 'an HTML page' : type ? `${type} that is not JSON` : 'a body that is not JSON';
    return { status: res.status, body: undefined, problem: `the answer is ${what}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { status: res.status, body: undefined, problem: 'the answer is JSON but not an object' };
  }
  return { status: res.status, body: value as JsonObject, problem: undefined };
}

/**
 * A URL from a server document: absolute, http(s) only (an allowlist: no javascript:, file:,
 * data:), and https unless the host is loopback or the user passed --allow-http.
 */
export function checkUrl(value: unknown, field: string, where: string, options: OAuthHttpOptions, code: ProxyErrorCode): URL {
  if (typeof value !== 'string' || value === '') throw new ProxyError(code, `"${field}" in ${where} is missing`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProxyError(code, `"${field}" in ${where} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProxyError(code, `"${field}" in ${where} must be an https URL (got a ${url.protocol} URL)`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !options.allowHttp) {
    throw new ProxyError(code, `"${field}" in ${where} is plain http:// on ${url.host}; refusing (pass --allow-http to accept the risk)`);
  }
  return url;
}

export function optionalString(body: JsonObject, field: string, where: string, code: ProxyErrorCode): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ProxyError(code, `"${field}" in ${where} must be a string`);
  return value;
}

export function optionalStrings(body: JsonObject, field: string, where: string, code: ProxyErrorCode): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ProxyError(code, `"${field}" in ${where} must be an array of strings`);
  }
  return value as string[];
}
