import { describe, expect, it } from 'vitest';
import { checkMessage, idKey, parseMessages } from '../../src/jsonrpc.js';

describe('checkMessage', () => {
  it.each<[string, unknown, boolean]>([
    ['request', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, true],
    ['string id', { jsonrpc: '2.0', id: 'a', method: 'x', params: {} }, true],
    ['notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, true],
    ['result', { jsonrpc: '2.0', id: 1, result: {} }, true],
    ['error with null id', { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } }, true],
    ['array', [], false],
    ['null', null, false],
    ['string', 'hello', false],
    ['wrong version', { jsonrpc: '1.0', id: 1, method: 'x' }, false],
    ['numeric method', { jsonrpc: '2.0', id: 1, method: 5 }, false],
    ['object id', { jsonrpc: '2.0', id: {}, method: 'x' }, false],
    ['response without id', { jsonrpc: '2.0', result: {} }, false],
    ['neither method nor result', { jsonrpc: '2.0', id: 1 }, false],
  ])('%s', (_name, value, ok) => {
    expect(checkMessage(value) === undefined).toBe(ok);
  });
});

describe('parseMessages', () => {
  it('reads one message or a batch', () => {
    expect(parseMessages('{"jsonrpc":"2.0","id":1,"result":{}}')).toHaveLength(1);
    expect(parseMessages('[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]')).toHaveLength(2);
  });
  it.each([
    ['<html><body>502 Bad Gateway</body></html>', /HTML/],
    ['{"jsonrpc":"2.0","id":1,"res', /malformed or truncated/],
    ['{"hello":"world"}', /not JSON-RPC/],
  ])('explains %s', (text, reason) => {
    expect(parseMessages(text)).toMatch(reason);
  });
});

describe('idKey', () => {
  it('keeps 1 and "1" apart', () => {
    expect(idKey(1)).not.toBe(idKey('1'));
  });
});
