/** The redaction step on its own: each form of the token a server may echo becomes `[redacted]`. */
import { describe, expect, it } from 'vitest';
import { makeRedactor, plainUnicode } from '../../src/api/redact.js';

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

describe('plainUnicode', () => {
  it.each([
    ['no escape: the same text', '{"a":"b/c"}', '{"a":"b/c"}'],
    ['letters spelt in escapes', '{"a":"\\u0074\\u006F\\u006b"}', '{"a":"tok"}'],
    ['a quote, a backslash and a control character stay escaped', '{"a":"\\u0022\\u005c\\u000a\\u0041"}', '{"a":"\\u0022\\u005c\\u000aA"}'],
    ['an escaped backslash before u is a pair, not an escape', '{"a":"\\\\u0041"}', '{"a":"\\\\u0041"}'],
    ['a surrogate pair', '{"a":"\\ud83d\\ude00"}', '{"a":"\u{1F600}"}'],
  ])('%s', (_name, json, plain) => {
    expect(plainUnicode(json)).toBe(plain);
    expect(JSON.parse(plainUnicode(json))).toStrictEqual(JSON.parse(json));
  });
});
