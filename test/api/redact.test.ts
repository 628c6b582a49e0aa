/** The redaction step on its own: each form of the token a server may echo becomes `[redacted]`. */
import { describe, expect, it } from 'vitest';
import { makeRedactor } from '../../src/api/redact.js';

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

describe('the forms a JSON text may spell the token in', () => {
  it('escaped as JSON.stringify does, with or without its slashes escaped', () => {
    const odd = 'ab/cd/ef"q\\z-0123456789';
    const oddRedact = makeRedactor(odd);
    for (const spelt of [JSON.stringify(odd).slice(1, -1), JSON.stringify(odd).slice(1, -1).replace(/\//g, '\\/')]) {
      expect(oddRedact(`{"detail":{"echoed":"Bearer ${spelt}"}}`)).toBe('{"detail":{"echoed":"[redacted]"}}');
    }
  });
});
