/**
 * The route requests take to the Qualytics host: straight there through a keep-alive `Pool`, or
 * through a forward proxy named by the environment.
 *
 * Which proxy applies follows undici's `EnvHttpProxyAgent` (lib/dispatcher/env-http-proxy-agent.js),
 * but reads the environment it is given instead of `process.env`, and decides once, since a client
 * talks to one origin:
 * - an https origin uses `https_proxy`, else `HTTPS_PROXY`, else the http proxy below;
 *   an http origin uses `http_proxy`, else `HTTP_PROXY` (never the https one);
 *   a lower-case variable that is set wins over the upper-case one, even when empty;
 * - `no_proxy` (else `NO_PROXY`) lists hosts, separated by commas or spaces, that go direct: an
 *   entry matches the host itself and its subdomains (`example.com`, `.example.com` and
 *   `*.example.com` are the same entry), `host:port` only on that port, and the value `*` alone
 *   matches everything. Loopback is not exempt unless listed, as in undici.
 * - One addition to undici's rule: an entry that is an IP address or a CIDR range (`10.0.0.0/8`,
 *   `fd00::/8`, `::1`) matches a host written as an address in it. undici ignores such entries (an
 *   IPv6 one it even reads as `host:port`), while curl and Python's requests, the official CLI's
 *   HTTP client, go direct: a deployment reached by its address takes the same route with either
 *   tool. Host names are not resolved to match a range, as in both.
 *
 * With no proxy the dispatcher is exactly the `Pool` enrichctl always used. With one, it is a
 * `ProxyAgent` whose per-origin pool has the same bounds; every request goes through a CONNECT
 * tunnel, for http origins too (`proxyTunnel: true`, undici 7's default, written out because the
 * documentation and later majors disagree), so the proxy never sees a request, its headers or the
 * token, and the tunnels are kept alive like direct connections.
 */
import { STATUS_CODES } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import type { buildConnector, Dispatcher } from 'undici';
import { certificateReason, NOT_TLS_CODES } from './error-body.js';
import { MAX_HEADER_BYTES } from './body.js';

export interface ProxySetting {
  /** The proxy URL, credentials included: for undici only, never shown. */
  uri: string;
  /** `host:port` of the proxy, without credentials: what messages show. */
  display: string;
  /** The variable it came from, e.g. `HTTPS_PROXY` or `http_proxy`. */
  variable: string;
}

export type ProxyChoice = { ok: true; proxy: ProxySetting | undefined } | { ok: false; problem: string };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The proxy (if any) requests to `target` go through, given these environment variables. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  const http = firstSet(env, 'http_proxy', 'HTTP_PROXY');
  const https = firstSet(env, 'https_proxy', 'HTTPS_PROXY');
  let chosen: { variable: string; value: string } | undefined;
  if (target.protocol === 'https:') chosen = https?.value ? https : http?.value ? http : undefined;
  else chosen = http?.value ? http : undefined;
  if (!chosen) return { ok: true, proxy: undefined };

  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  if (!shouldProxy(host, port, firstSet(env, 'no_proxy', 'NO_PROXY')?.value ?? '')) return { ok: true, proxy: undefined };

  const parsed = parseProxyUrl(chosen.value);
  if (typeof parsed === 'string') {
    // The value may hold a password: name the variable, not the value.
    return { ok: false, problem: `${chosen.variable} is not a proxy URL${parsed}; write it as http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT, with % escapes in them)` };
  }
  return {
    ok: true,
    proxy: { uri: parsed.href, display: `${parsed.hostname}:${parsed.port || DEFAULT_PORTS[parsed.protocol]}`, variable: chosen.variable },
  };
}

/** The first of the variables that is set (empty counts as set), as undici's `??` chain does. */
function firstSet(env: NodeJS.ProcessEnv, ...names: string[]): { variable: string; value: string } | undefined {
  for (const variable of names) {
    const value = env[variable];
    if (value !== undefined) return { variable, value };
  }
  return undefined;
}

/** undici's NO_PROXY rule, and addresses and ranges (see the module comment). */
function shouldProxy(host: string, port: number, noProxy: string): boolean {
  const written = noProxy.split(/[,\s]/).filter((e) => e !== '');
  if (written.length === 0) return true;
  if (noProxy === '*') return false;
  const address = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(address);
  if (family !== 0 && written.some((e) => inRange(address, family, e))) return false;
  const entries = written.map((e) => {
    const m = /^(.+):(\d+)$/.exec(e);
    return { host: (m ? m[1]! : e).replace(/^\*?\./, '').toLowerCase(), port: m ? Number.parseInt(m[2]!, 10) : 0 };
  });
  return !entries.some((e) => (!e.port || e.port === port) && (host === e.host || host.endsWith(`.${e.host}`)));
}

/** Whether a NO_PROXY entry that is an address (`::1`, `[::1]`) or a CIDR range holds this address of this family. */
function inRange(address: string, family: number, entry: string): boolean {
  const m = /^\[?([0-9a-f.:]+)\]?(?:\/(\d{1,3}))?$/i.exec(entry);
  if (!m || isIP(m[1]!) !== family) return false;
  const bits = family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const range = new BlockList();
  range.addSubnet(m[1]!, prefix, type);
  return range.check(address, type);
}

/**
 * `proxy.corp:3128` (no scheme, as curl accepts) is read as http. Only http and https proxies, with
 * no path, and credentials undici can decode (it takes them with decodeURIComponent, which throws
 * on a stray `%`); else why not, as a clause for the message (never the value: it may hold a password).
 */
function parseProxyUrl(value: string): URL | string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? value.trim() : `http://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return '';
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return ' (it has a path or a query after the port)';
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return ' (its user or password has a % that is not an escape: write % as %25)';
  }
  return url;
}

export interface DispatcherOptions {
  /** The Qualytics origin, e.g. `https://acme.qualytics.io`. */
  origin: string;
  /** Connections (and so requests in flight) per origin. */
  connections: number;
  /** TLS verification of the Qualytics host (not of the proxy, which is always verified). */
  verifyTls: boolean;
  /**
   * The per-request timeout: also undici's, for opening a connection and for a proxy's answer to
   * CONNECT, which a request's signal does not end (undici's own defaults: 10 s and 5 minutes).
   */
  timeoutMs: number;
  proxy: ProxySetting | undefined;
}

/** A dispatcher and the one way requests are sent through it. */
export interface Route {
  readonly dispatcher: Dispatcher;
  /** undici's `request`; `onWritten` is told when the request is written to its connection. */
  request(options: Dispatcher.RequestOptions, onWritten?: () => void): Promise<Dispatcher.ResponseData>;
}

/**
 * undici is loaded here, when the first request goes out, and only the part enrichctl uses: its
 * `Pool`, `ProxyAgent` and `request` API load in a third of the time the package's index takes
 * (which also loads fetch, WebSocket, caches and mocks), time a plan would otherwise spend before
 * its first request.
 */
export async function createRoute(options: DispatcherOptions): Promise<Route> {
  tuneV8ForShortRuns();
  const bounds = { connections: options.connections, pipelining: 1, keepAliveTimeout: 10_000, connectTimeout: options.timeoutMs, maxHeaderSize: MAX_HEADER_BYTES };
  const [{ default: request }, dispatcher] = await Promise.all([
    import('undici/lib/api/api-request.js'),
    options.proxy ? proxyAgent(options.proxy, bounds, options.verifyTls) : pool(options.origin, bounds, options.verifyTls),
  ]);
  return {
    dispatcher,
    // undici's Request calls its handler's `onRequestSent` once the request is written (lib/core/request.js);
    // `request()` takes no option for it, so it is set on the handler `request()` builds, on its way to the dispatcher.
    request: (opts, onWritten) => request.call({
      dispatch: (o: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler & { onRequestSent?: () => void }) => {
        if (onWritten) handler.onRequestSent = onWritten;
        return dispatcher.dispatch(o, handler);
      },
    }, opts),
  };
}

/**
 * V8's flags for a process that sends requests, which runs for a second or less: set before undici
 * compiles llhttp (on its first connection). In the bundle, the loader (scripts/loader.cjs) hears of
 * the change first: V8 keys its code caches by its flags, so the loader caches what it compiles after
 * the change under other names.
 *
 * 1. JavaScript reaches V8's optimising compiler (TurboFan) 8 times later than by default
 *    (`--interrupt-budget`, read each time a function's budget is reset). A plan runs its per-datastore
 *    code a few thousand times, once: V8 optimised ~57 functions of plan 2,000 of 2,000, in
 *    background threads that took the second core from the server, the emulator or the garbage
 *    collector and touched memory of their own (~1,400 pages more, and a fresh page costs ~15 µs on
 *    this project's machines), for code that ran a few more milliseconds at most; now 7 are. 15
 *    interleaved runs: 449 -> 402 ms wall, 400 -> 290 ms user CPU. Long runs still optimise what is
 *    hot: plan 10,000 of 10,000 and apply 200 of 2,000 did not change beyond the noise (1,073 vs
 *    1,089 ms, 1,055 vs 1,043 ms, 7 runs each).
 * 2. undici parses HTTP/1 with llhttp compiled to WebAssembly, which V8 compiles with its baseline
 *    compiler (Liftoff) and then again, in background threads, with its optimising one (TurboFan). A
 *    process does not end before those background compiles have: every command that sent a request
 *    stayed alive ~170 ms after its work was done (a one-entry plan against the emulator: 495 -> 320
 *    ms wall). Baseline code parses the few megabytes of a plan's pages at no cost that shows, so
 *    WebAssembly stays at Liftoff. And all of it is compiled with the module, on the first connection
 *    (V8 shares the work with its background threads): compiled lazily, each function on its first
 *    call, through V8's generic JavaScript-to-WebAssembly wrapper, the first answers waited ~7 ms for
 *    it (plan 20 of 20,000: 16.6 -> 8.2 ms from page 1's answer to its use, 11 runs: 271 -> 255 ms
 *    wall). V8 reads these flags when it compiles a module, and enrichctl runs no other WebAssembly.
 */
function tuneV8ForShortRuns(): void {
  setFlagsFromString(`--interrupt-budget=${8 * 66 * 1024}`);
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--no-wasm-dynamic-tiering');
  setFlagsFromString('--no-wasm-lazy-compilation');
}

interface Bounds {
  connections: number;
  pipelining: number;
  keepAliveTimeout: number;
  connectTimeout: number;
  maxHeaderSize: number;
}

async function pool(origin: string, bounds: Bounds, verifyTls: boolean): Promise<Dispatcher> {
  const { default: Pool } = await import('undici/lib/dispatcher/pool.js');
  return new Pool(origin, { ...bounds, connect: { rejectUnauthorized: verifyTls } });
}

async function proxyAgent(proxy: ProxySetting, bounds: Bounds, verifyTls: boolean): Promise<Dispatcher> {
  const [{ default: ProxyAgent }, { default: DispatcherClass }, { default: connect }, { default: Pool }] = await Promise.all([
    import('undici/lib/dispatcher/proxy-agent.js'),
    import('undici/lib/dispatcher/dispatcher.js'),
    import('undici/lib/api/api-connect.js'),
    import('undici/lib/dispatcher/pool.js'),
  ]);
  // ProxyAgent opens its tunnels with its client's `connect` (lib/dispatcher/proxy-agent.js), one of
  // the methods undici's index gives every dispatcher (`Object.assign(Dispatcher.prototype, api)`).
  DispatcherClass.prototype.connect ??= connect;
  // The client to the proxy (its default factory makes the same Pool): a proxy that accepts the
  // connection and never answers CONNECT is given up after the timeout, not undici's 5 minutes.
  const toProxy = (origin: URL, options: { connect: buildConnector.connector }): Dispatcher =>
    new Pool(origin, { ...options, connect: proxyConnector(options.connect), connectTimeout: bounds.connectTimeout, headersTimeout: bounds.connectTimeout, maxHeaderSize: bounds.maxHeaderSize });
  return new ProxyAgent({ ...bounds, uri: proxy.uri, proxyTunnel: true, requestTls: { rejectUnauthorized: verifyTls }, clientFactory: toProxy });
}

/** Errors raised while connecting to the proxy itself (its TCP connection or its TLS). */
const AT_PROXY = new WeakSet<object>();

/**
 * undici's connector to the proxy, with two changes. Its failures are marked as the proxy's own: a
 * TLS failure there is the proxy's, not the Qualytics host's, whose TLS runs later, inside the
 * tunnel. And an https proxy written as an address gets no server name: undici gives the address,
 * which TLS does not allow (RFC 6066), and Node warned about it on standard error (DEP0123).
 */
function proxyConnector(connector: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const servername = options.servername;
    connector(servername && isIP(servername) ? { ...options, servername: undefined } : options, (...args) => {
      if (args[0] !== null) AT_PROXY.add(args[0]);
      callback(...args);
    });
  };
}

/**
 * A failure that happened at the proxy, in words that name the proxy (never its credentials), or
 * undefined when the failure is not the proxy's. Through a proxy the only connection enrichctl
 * opens is to the proxy, so refused, unresolved and timed-out connections are the proxy's; a
 * CONNECT answered with anything but 200 is the proxy refusing to reach `target` (`host:port`).
 */
export function describeProxyFailure(err: unknown, proxy: ProxySetting, target: string): string | undefined {
  const name = `the proxy ${proxy.display} (${proxy.variable})`;
  const refusal = proxyRefusalStatus(err);
  if (refusal !== undefined) {
    const phrase = STATUS_CODES[refusal];
    return `${name} refused to connect to ${target}: ${refusal}${phrase ? ` ${phrase}` : ''}`;
  }
  const code = errorCode(err);
  if (code !== undefined && AT_PROXY.has(err as object)) {
    if (NOT_TLS_CODES.has(code)) return `${name} did not answer TLS; if it is a plain-http proxy, write http:// in ${proxy.variable}`;
    const certificate = certificateReason(code, name);
    if (certificate !== undefined) return certificate;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${name}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${name}; check ${proxy.variable}`;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `could not connect to ${name} in time`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection to ${target} through ${name} was closed before an answer arrived`;
    default:
      return undefined;
  }
}

/** The status a proxy answered a CONNECT with, when that is what `err` is. */
export function proxyRefusalStatus(err: unknown): number | undefined {
  // undici 7 reports it only in the message of a RequestAbortedError (lib/dispatcher/proxy-agent.js).
  if (errorCode(err) !== 'UND_ERR_ABORTED' || !(err instanceof Error)) return undefined;
  const m = /^Proxy response \((\d{3})\) !== 200/.exec(err.message);
  return m ? Number(m[1]) : undefined;
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
