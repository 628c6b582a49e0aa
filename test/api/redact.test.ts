/** The redaction step on its own: each form of the token a server may echo becomes `[redacted]`. */
import { describe, expect, it } from 'vitest';
import { makeRedactor, redactValue } from '../../src/api/redact.js';

const TOKEN = 'ab/cd+ef_0123456789.JWTish';
const redact = makeRedactor(TOKEN);

describe('makeRedactor', () => {
  it.each([
    ['the raw token', `x ${TOKEN} y`, 'x [redacted] y'],
    ['Bearer and the token', `auth: Bearer ${TOKEN}.`, 'auth: [redacted].'],
    ['"bearer" in any case, several spaces', `BEARER   ${TOKEN}`, '[redacted]'],
    ['JSON-escaped slashes', `"Bearer ${TOKEN.replace(/\//g, '\\/')}"`, '"[redacted]"'],
    ['URL-encoded', `?t=${encodeURIComponent(TOKEN)}&u=1`, '?t=[redacted]&u=1'],
    ['URL-encoded, lower-case hex', `?t=${encodeURIComponent(TOKEN).replace(/%2F/g, '%2f')}`, '?t=[redacted]'],
    ['Bearer%20 and the URL-encoded token', `Bearer%20${encodeURIComponent(TOKEN)}`, '[redacted]'],
    ['base64 of "Bearer <token>"', `h=${Buffer.from(`Bearer ${TOKEN}`).toString('base64').replace(/=+$/, '')};`, 'h=[redacted];'],
    ['several echoes', `${TOKEN}${TOKEN}`, '[redacted][redacted]'],
    ['nothing to redact', 'Bearer someone-else', 'Bearer someone-else'],
  ])('%s', (_name, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves text alone for an empty token', () => {
    expect(makeRedactor('')('anything')).toBe('anything');
  });
});

describe('the form JSON.stringify writes', () => {
  it('a token with a quote or a backslash, escaped as JSON.stringify escapes it', () => {
    const odd = 'ab"c\\d-0123456789';
    expect(makeRedactor(odd)(JSON.stringify({ name: `x ${odd}` }))).toBe('{"name":"x [redacted]"}');
  });
});

describe('redactValue', () => {
  it('redacts every string of a parsed value, keys included, and keeps the rest', () => {
    const value = { a: [`x ${TOKEN}`, 1, null, true], [TOKEN]: { b: `Bearer ${TOKEN}` }, c: 'clean' };
    expect(redactValue(value, redact)).toStrictEqual({ a: ['x [redacted]', 1, null, true], '[redacted]': { b: '[redacted]' }, c: 'clean' });
  });

  it('keeps a __proto__ key a key, as JSON.parse does (never the copy\'s prototype)', () => {
    const copy = redactValue(JSON.parse('{"__proto__":{"id":5},"name":"x\\u0041"}'), redact) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.id).toBeUndefined();
    expect(Object.keys(copy)).toStrictEqual(['__proto__', 'name']);
  });

  it('catches what only parsing spells: mixed escapes, a quote or a backslash in the token', () => {
    const odd = 'ab/cd/ef"q\\z-0123456789';
    const oddRedact = makeRedactor(odd);
    // Some slashes escaped and some not, a letter as \u, the quote and backslash as JSON must write them.
    const text = '{"name":"ab\\/cd/ef\\"q\\\\\\u007a-0123456789"}';
    expect(JSON.parse(text)).toStrictEqual({ name: odd });
    expect(oddRedact(text)).toBe(text);
    expect(redactValue(JSON.parse(text), oddRedact)).toStrictEqual({ name: '[redacted]' });
  });
});
