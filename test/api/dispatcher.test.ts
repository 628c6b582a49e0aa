/** Which proxy a request takes: undici's EnvHttpProxyAgent rules (and addresses and CIDR ranges in NO_PROXY), read from the environment given. */
import { describe, expect, it } from 'vitest';
import { describeProxyFailure, proxyFor, type ProxySetting } from '../../src/api/dispatcher.js';

const HTTPS = new URL('https://acme.qualytics.io/api');
const HTTP = new URL('http://127.0.0.1:8642/api');

describe('proxyFor', () => {
  it.each([
    ['nothing set', HTTPS, {}, undefined],
    ['HTTPS_PROXY for https', HTTPS, { HTTPS_PROXY: 'http://proxy:3128' }, ['proxy:3128', 'HTTPS_PROXY']],
    ['lower case wins over upper case', HTTPS, { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:2' }, ['low:1', 'https_proxy']],
    ['an empty lower-case variable hides the upper-case one (undici: `??`)', HTTPS, { https_proxy: '', HTTPS_PROXY: 'http://up:2' }, undefined],
    ['https falls back to HTTP_PROXY', HTTPS, { HTTP_PROXY: 'http://p:8080' }, ['p:8080', 'HTTP_PROXY']],
    ['HTTPS_PROXY before HTTP_PROXY for https', HTTPS, { HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:2' }, ['b:2', 'HTTPS_PROXY']],
    ['http never uses HTTPS_PROXY', HTTP, { HTTPS_PROXY: 'http://p:3128' }, undefined],
    ['http uses http_proxy', HTTP, { http_proxy: 'http://p:3128' }, ['p:3128', 'http_proxy']],
    ['loopback is not exempt by itself', HTTP, { HTTP_PROXY: 'http://p:3128' }, ['p:3128', 'HTTP_PROXY']],
    ['default port shown', HTTPS, { HTTPS_PROXY: 'http://proxy.corp' }, ['proxy.corp:80', 'HTTPS_PROXY']],
    ['https proxy default port', HTTPS, { HTTPS_PROXY: 'https://proxy.corp' }, ['proxy.corp:443', 'HTTPS_PROXY']],
    ['no scheme is read as http', HTTPS, { HTTPS_PROXY: 'proxy.corp:3128' }, ['proxy.corp:3128', 'HTTPS_PROXY']],
    ['credentials are never displayed', HTTPS, { HTTPS_PROXY: 'http://bob:s3cret@proxy:3128' }, ['proxy:3128', 'HTTPS_PROXY']],
  ] as const)('%s', (_name, target, env, expected) => {
    const choice = proxyFor(target, env);
    expect(choice.ok).toBe(true);
    const proxy = choice.ok ? choice.proxy : undefined;
    expect(proxy === undefined ? undefined : [proxy.display, proxy.variable]).toStrictEqual(expected);
  });

  it('keeps the credentials for undici only', () => {
    const choice = proxyFor(HTTPS, { HTTPS_PROXY: 'http://bob:s3cret@proxy:3128' });
    expect(choice).toStrictEqual({ ok: true, proxy: { uri: 'http://bob:s3cret@proxy:3128/', display: 'proxy:3128', variable: 'HTTPS_PROXY' } });
  });

  it.each([
    ['the host', 'acme.qualytics.io', false],
    ['a parent domain', 'qualytics.io', false],
    ['a parent domain with a leading dot', '.qualytics.io', false],
    ['a parent domain with *.', '*.qualytics.io', false],
    ['the host on its port', 'acme.qualytics.io:443', false],
    ['the host on another port', 'acme.qualytics.io:8443', true],
    ['another host', 'other.example.com', true],
    ['a suffix that is not a domain boundary', 'ualytics.io', true],
    ['a list with spaces and commas', 'localhost, 127.0.0.1 acme.qualytics.io', false],
    ['*', '*', false],
    ['* among others (undici: only `*` alone means everything)', 'localhost,*', true],
    ['empty', '', true],
    ['case-insensitive', 'ACME.Qualytics.IO', false],
  ])('NO_PROXY naming %s', (_name, noProxy, proxied) => {
    const choice = proxyFor(HTTPS, { HTTPS_PROXY: 'http://p:3128', NO_PROXY: noProxy });
    expect(choice.ok && choice.proxy !== undefined).toBe(proxied);
  });

  // undici ignores these entries; curl and Python's requests (the official CLI's client) go direct.
  it.each([
    ['https://10.20.30.40/api', '10.0.0.0/8', false],
    ['https://10.20.30.40/api', '10.20.30.40/32', false],
    ['https://10.20.30.40/api', '10.20.30.0/24, proxy.corp', false],
    ['https://10.20.30.40/api', '10.20.31.0/24', true],
    ['https://10.20.30.40/api', '192.168.0.0/16', true],
    ['https://10.20.30.40/api', '10.0.0.0/33', true],
    ['https://10.20.30.40/api', 'fd00::/8', true],
    ['https://[fd00::17]/api', 'fd00::/8', false],
    ['https://[fd00::17]:8443/api', '[fd00::17]', false],
    ['https://[fd00::17]/api', '::1', true],
    ['http://[::1]:8642/api', '::1', false],
    ['https://[fd00::17]/api', '10.0.0.0/8', true],
    // Names are not resolved: a range matches a host written as an address only.
    ['https://acme.qualytics.io/api', '0.0.0.0/0', true],
  ])('%s with NO_PROXY %s: an address or a CIDR range', (url, noProxy, proxied) => {
    const choice = proxyFor(new URL(url), { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://p:3128', NO_PROXY: noProxy });
    expect(choice.ok && choice.proxy !== undefined).toBe(proxied);
  });

  it('reads no_proxy before NO_PROXY, and matches loopback only when listed', () => {
    expect(proxyFor(HTTP, { HTTP_PROXY: 'http://p:1', no_proxy: 'example.com', NO_PROXY: '127.0.0.1' })).toMatchObject({ ok: true, proxy: { display: 'p:1' } });
    expect(proxyFor(HTTP, { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1' })).toStrictEqual({ ok: true, proxy: undefined });
    expect(proxyFor(HTTP, { HTTP_PROXY: 'http://p:1', NO_PROXY: 'localhost' })).toMatchObject({ ok: true, proxy: { display: 'p:1' } });
  });

  it.each(['http://bob:s3cret@', 'socks5://bob:s3cret@proxy:1080', 'ftp://proxy:21'])('refuses %s naming the variable, never the value', (value) => {
    const choice = proxyFor(HTTPS, { HTTPS_PROXY: value });
    expect(choice).toStrictEqual({ ok: false, problem: 'HTTPS_PROXY is not a proxy URL; write it as http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT, with % escapes in them)' });
  });

  // undici took them and failed inside: "unexpected internal error: URI malformed", "invalid url".
  it.each([
    ['http://u:pa%zz@127.0.0.1:3129', ' (its user or password has a % that is not an escape: write % as %25)'],
    ['http://u:pw@127.0.0.1:3128/x/y', ' (it has a path or a query after the port)'],
    ['http://127.0.0.1:3128/?a=b', ' (it has a path or a query after the port)'],
  ])('refuses %s saying why, never showing the value', (value, why) => {
    expect(proxyFor(HTTPS, { HTTPS_PROXY: value })).toStrictEqual({ ok: false, problem: `HTTPS_PROXY is not a proxy URL${why}; write it as http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT, with % escapes in them)` });
  });

  it('takes escaped credentials and a trailing slash', () => {
    expect(proxyFor(HTTPS, { HTTPS_PROXY: 'http://DOMAIN%5Cuser:p%40ss%3Aw%2Frd%25%231@127.0.0.1:3128/' })).toMatchObject({ ok: true, proxy: { display: '127.0.0.1:3128' } });
  });
});

describe('describeProxyFailure', () => {
  const proxy: ProxySetting = { uri: 'http://bob:s3cret@127.0.0.1:3128/', display: '127.0.0.1:3128', variable: 'HTTPS_PROXY' };
  const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });

  it.each([
    [coded('ECONNREFUSED'), 'connection refused by the proxy 127.0.0.1:3128 (HTTPS_PROXY)'],
    [coded('ENOTFOUND'), 'cannot resolve the proxy 127.0.0.1:3128 (HTTPS_PROXY); check HTTPS_PROXY'],
    [coded('UND_ERR_ABORTED', 'Proxy response (407) !== 200 when HTTP Tunneling'),
      'the proxy 127.0.0.1:3128 (HTTPS_PROXY) refused to connect to acme.qualytics.io:443: 407 Proxy Authentication Required'],
    [coded('UND_ERR_ABORTED', 'Proxy response (502) !== 200 when HTTP Tunneling'),
      'the proxy 127.0.0.1:3128 (HTTPS_PROXY) refused to connect to acme.qualytics.io:443: 502 Bad Gateway'],
    [coded('UND_ERR_SOCKET'), 'the connection to acme.qualytics.io:443 through the proxy 127.0.0.1:3128 (HTTPS_PROXY) was closed before an answer arrived'],
    [coded('UND_ERR_ABORTED', 'This operation was aborted'), undefined],
    [coded('CERT_HAS_EXPIRED'), undefined],
  ])('%s', (err, expected) => {
    expect(describeProxyFailure(err, proxy, 'acme.qualytics.io:443')).toBe(expected);
  });
});
