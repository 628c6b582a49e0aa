/** URL normalisation, the transport policy, and where credentials come from. */
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jwtExpiry, resolveConnection } from '../../src/api/credentials.js';
import { backoffMs, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../src/api/retry.js';
import { checkBaseUrl, normaliseBaseUrl } from '../../src/api/url.js';

describe('normaliseBaseUrl (as the official CLI)', () => {
  it.each([
    ['acme.qualytics.io', 'https://acme.qualytics.io/api'],
    ['https://acme.qualytics.io', 'https://acme.qualytics.io/api'],
    ['https://acme.qualytics.io/', 'https://acme.qualytics.io/api'],
    ['https://acme.qualytics.io/api', 'https://acme.qualytics.io/api'],
    ['https://acme.qualytics.io/api/', 'https://acme.qualytics.io/api'],
    ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/api'],
    ['  https://acme.qualytics.io/API  ', 'https://acme.qualytics.io/api'],
    ['https://gw.example.com/qualytics/api/', 'https://gw.example.com/qualytics/api'],
  ])('%s -> %s', (input, expected) => {
    expect(normaliseBaseUrl(input)).toBe(expected);
  });
});

describe('checkBaseUrl', () => {
  it('accepts https anywhere and http on loopback only', () => {
    expect(checkBaseUrl('https://acme.qualytics.io/api', false).ok).toBe(true);
    for (const host of ['127.0.0.1:9', 'localhost:9', '[::1]:9', '127.1.2.3']) {
      expect(checkBaseUrl(`http://${host}/api`, false)).toMatchObject({ ok: true });
    }
    expect(checkBaseUrl('http://acme.example.com/api', false)).toStrictEqual({
      ok: false,
      problem: 'refusing to send the API token over plain http to acme.example.com; use https://, or pass --allow-insecure-http if you really mean it',
    });
    expect(checkBaseUrl('http://acme.example.com/api', true)).toMatchObject({
      ok: true,
      warning: 'sending the API token over plain http to acme.example.com (--allow-insecure-http)',
    });
    expect(checkBaseUrl('ftp://x/api', true)).toStrictEqual({ ok: false, problem: 'unsupported URL scheme "ftp:"; use https://' });
    // A scheme with a typo is taken for a host (as the official CLI normalises): a host DNS cannot hold is refused before any request.
    expect(checkBaseUrl(normaliseBaseUrl('ht!tp://::'), false)).toStrictEqual({
      ok: false,
      problem: '"https://ht!tp://::/api" is not a valid URL (its host "ht!tp" is not a host name); give the deployment\'s address, e.g. https://your-instance.qualytics.io',
    });
    for (const host of ['my_service:8080', 'acme.qualytics.io.', '[::1]:8443', 'xn--bcher-kva.example', 'bücher.example']) expect(checkBaseUrl(normaliseBaseUrl(host), false), host).toMatchObject({ ok: true });
    expect(checkBaseUrl('https://user:pw@x/api', false)).toMatchObject({ ok: false });
  });
});

function jwt(claims: object): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(claims)}.sig`;
}

async function home(config?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'enrichctl-home-'));
  if (config !== undefined) {
    await mkdir(join(dir, '.qualytics'));
    await writeFile(join(dir, '.qualytics', 'config.yaml'), config);
  }
  return dir;
}

describe('resolveConnection', () => {
  it('takes --url over QUALYTICS_URL over the config file, and the token from env over the config file', async () => {
    const HOME = await home('url: https://from-config.qualytics.io\ntoken: config-token\nssl_verify: false\ntimeout: 12\n');
    const fromConfig = await resolveConnection({}, { HOME });
    expect(fromConfig).toStrictEqual({
      ok: true,
      connection: {
        baseUrl: 'https://from-config.qualytics.io/api', token: 'config-token', timeoutMs: 12_000, verifyTls: false,
        warnings: [`TLS certificate verification is off (ssl_verify: false in ${join(HOME, '.qualytics', 'config.yaml')})`],
      },
    });
    const fromEnv = await resolveConnection({}, { HOME, QUALYTICS_URL: 'env.qualytics.io', QUALYTICS_TOKEN: 'env-token', QUALYTICS_TIMEOUT: '5' });
    expect(fromEnv).toMatchObject({ ok: true, connection: { baseUrl: 'https://env.qualytics.io/api', token: 'env-token', timeoutMs: 5000 } });
    const fromFlag = await resolveConnection({ url: 'flag.qualytics.io', timeout: '1.5' }, { HOME, QUALYTICS_URL: 'env.qualytics.io', QUALYTICS_TOKEN: 'env-token' });
    expect(fromFlag).toMatchObject({ ok: true, connection: { baseUrl: 'https://flag.qualytics.io/api', token: 'env-token', timeoutMs: 1500 } });
  });

  it("never sends the config file's token, nor applies its ssl_verify, to a URL other than the file's", async () => {
    const HOME = await home('url: https://from-config.qualytics.io\ntoken: config-token\nssl_verify: false\n');
    const other = await resolveConnection({ url: 'https://evil.example.com' }, { HOME });
    expect(other).toStrictEqual({
      ok: false,
      problem: `no API token for https://evil.example.com/api: the token in ${join(HOME, '.qualytics', 'config.yaml')} is for https://from-config.qualytics.io/api, and enrichctl never sends it to another host; set QUALYTICS_TOKEN or pass --token-file FILE`,
    });
    expect(JSON.stringify(other)).not.toContain('config-token');
    const fromEnv = await resolveConnection({}, { HOME, QUALYTICS_URL: 'other.qualytics.io' });
    expect(fromEnv.ok).toBe(false);
    // Another URL with its own token: verified TLS, whatever the file says.
    expect(await resolveConnection({}, { HOME, QUALYTICS_URL: 'other.qualytics.io', QUALYTICS_TOKEN: 't' }))
      .toMatchObject({ ok: true, connection: { verifyTls: true, warnings: [] } });
    // The file's own URL, however it is written, keeps the file's token and TLS setting.
    expect(await resolveConnection({ url: 'from-config.qualytics.io/api/' }, { HOME }))
      .toMatchObject({ ok: true, connection: { token: 'config-token', verifyTls: false } });
    // A config file with a token but no URL gives its token to nobody.
    const bare = await home('token: config-token\n');
    expect(await resolveConnection({ url: 'x.qualytics.io' }, { HOME: bare })).toMatchObject({ ok: false });
  });

  it('gives the config file\'s token to its URL however the case of its scheme and host, or a default port, is written', async () => {
    const HOME = await home('url: https://acme.qualytics.io\ntoken: config-token\n');
    for (const url of ['HTTPS://ACME.Qualytics.IO', 'https://acme.qualytics.io:443/api/']) {
      expect(await resolveConnection({ url }, { HOME }), url).toMatchObject({ ok: true, connection: { token: 'config-token' } });
    }
    // A path is not case-insensitive: another deployment behind the same host.
    expect(await resolveConnection({ url: 'https://acme.qualytics.io/Other' }, { HOME })).toMatchObject({ ok: false });
  });

  it('reads --token-file in preference to the environment', async () => {
    const HOME = await home();
    const file = join(HOME, 'token');
    await writeFile(file, 'file-token\n');
    expect(await resolveConnection({ url: 'x.qualytics.io', tokenFile: file }, { HOME, QUALYTICS_TOKEN: 'env-token' }))
      .toMatchObject({ ok: true, connection: { token: 'file-token' } });
  });

  // They were read without bound (/dev/zero: 450 MB and counting) or waited for ever (a pipe nobody writes to), deaf to signals.
  it.runIf(process.platform !== 'win32')('reads a token file or a config file that never ends, or a pipe, within bounds', async () => {
    const HOME = await home();
    expect(await resolveConnection({ url: 'x.qualytics.io', tokenFile: '/dev/zero' }, { HOME }))
      .toStrictEqual({ ok: false, problem: 'cannot read the token file /dev/zero: it is larger than 64 KB, which no token or config file is' });
    const fifo = join(HOME, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await resolveConnection({ url: 'x.qualytics.io', tokenFile: fifo }, { HOME })).toStrictEqual({ ok: false, problem: `the token file ${fifo} is empty` });
    // The official config as /dev/zero or a pipe is no config at all.
    await mkdir(join(HOME, '.qualytics'), { recursive: true });
    symlinkSync('/dev/zero', join(HOME, '.qualytics', 'config.yaml'));
    expect(await resolveConnection({ url: 'x.qualytics.io' }, { HOME, QUALYTICS_TOKEN: 'env-token' })).toMatchObject({ ok: true, connection: { token: 'env-token' } });
  });

  it('says what is missing or wrong, never the token itself', async () => {
    const HOME = await home();
    const expired = jwt({ sub: 'ada', exp: 1_700_000_000 });
    const cases: Array<[Parameters<typeof resolveConnection>[0], NodeJS.ProcessEnv, string]> = [
      [{}, { HOME }, "no Qualytics URL: pass --url, set QUALYTICS_URL (e.g. https://your-instance.qualytics.io), or run the official CLI's `qualytics init` to write ~/.qualytics/config.yaml"],
      [{ url: 'x.qualytics.io' }, { HOME }, 'no API token: set QUALYTICS_TOKEN or pass --token-file FILE (create a token in Qualytics under Settings > Tokens)'],
      [{ url: 'x.qualytics.io', tokenFile: join(HOME, 'nope') }, { HOME }, `cannot read the token file ${join(HOME, 'nope')}: no such file`],
      [{ url: 'x.qualytics.io' }, { HOME, QUALYTICS_TOKEN: expired }, 'the API token from QUALYTICS_TOKEN expired on 2023-11-14T22:13:20.000Z; create a new one in Qualytics (Settings > Tokens)'],
      [{ url: 'x.qualytics.io', timeout: 'soon' }, { HOME, QUALYTICS_TOKEN: 't' }, 'the timeout "soon" is not a number of seconds above 0 and up to 1000'],
      // Past ~24.8 days Node's timers refuse the delay: it was an "unexpected internal error".
      [{ url: 'x.qualytics.io', timeout: '1e9' }, { HOME, QUALYTICS_TOKEN: 't' }, 'the timeout "1e9" is not a number of seconds above 0 and up to 1000'],
      [{ url: 'x.qualytics.io' }, { HOME, QUALYTICS_TOKEN: 't', QUALYTICS_TIMEOUT: '5000000' }, 'the timeout "5000000" is not a number of seconds above 0 and up to 1000'],
    ];
    for (const [flags, env, problem] of cases) {
      const result = await resolveConnection(flags, env);
      expect(result).toStrictEqual({ ok: false, problem });
      expect(JSON.stringify(result)).not.toContain(expired);
    }
  });

  it.each([
    // The YAML parser's messages quote the line they fail on: here the token's own line.
    ['the token line itself is broken', 'url: https://x\ntoken: super-secret-token: [oops\n'],
    ['a quote left open on the token line', 'url: https://x\ntoken: "super-secret-token" trailing\n'],
    ['a later line is broken', 'url: https://x\ntoken: "super-secret-token\n  broken: ['],
  ])('does not quote a broken config file (it holds the token): %s', async (_name, config) => {
    const HOME = await home(config);
    const result = await resolveConnection({}, { HOME });
    expect(result).toStrictEqual({
      ok: false,
      problem: `${join(HOME, '.qualytics', 'config.yaml')} is not valid YAML; fix or remove it, or set QUALYTICS_URL and QUALYTICS_TOKEN`,
    });
    expect(JSON.stringify(result)).not.toContain('super-secret-token');
  });

  it('refuses a token that spans several lines, quoting neither line', async () => {
    const HOME = await home();
    const file = join(HOME, 'token');
    await writeFile(file, 'first-line-secret\nX-Injected: second-line-secret\n');
    const sources: Array<[Parameters<typeof resolveConnection>[0], NodeJS.ProcessEnv, string]> = [
      [{ url: 'x.qualytics.io', tokenFile: file }, { HOME }, `--token-file ${file}`],
      [{ url: 'x.qualytics.io' }, { HOME, QUALYTICS_TOKEN: 'first-line-secret\r\nX-Injected: second-line-secret' }, 'QUALYTICS_TOKEN'],
      [{ url: 'x.qualytics.io' }, { HOME, QUALYTICS_TOKEN: 'first-line-secret\rX-Injected: second-line-secret' }, 'QUALYTICS_TOKEN'],
    ];
    for (const [flags, env, source] of sources) {
      const result = await resolveConnection(flags, env);
      expect(result).toStrictEqual({ ok: false, problem: `the token from ${source} spans several lines; it must be one line` });
      expect(JSON.stringify(result)).not.toContain('first-line-secret');
      expect(JSON.stringify(result)).not.toContain('second-line-secret');
    }
  });

  it('accepts a JWT that has not expired and an opaque token', () => {
    expect(jwtExpiry(jwt({ exp: 4_000_000_000 }))).toBe(4_000_000_000);
    expect(jwtExpiry('opaque-service-token')).toBeUndefined();
  });
});

describe('retry policy', () => {
  it('backs off exponentially with full jitter up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, DEFAULT_RETRY_POLICY, () => 1))).toStrictEqual([250, 500, 1000, 2000, 8000]);
    expect(backoffMs(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
