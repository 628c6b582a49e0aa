/**
 * Base-URL handling, as the official qualytics-cli does it: add `https://` when no scheme is given,
 * keep an explicit `http://`, strip a trailing `/api` or `/`, then re-add `/api`. enrichctl keeps
 * the base without the final slash (`https://x.qualytics.io/api`) and joins paths that start with `/`.
 */
export function normaliseBaseUrl(input: string): string {
  let url = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
  url = url.replace(/\/+$/, '').replace(/\/api$/i, '').replace(/\/+$/, '');
  return `${url}/api`;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/** Whether a host name is this machine: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

export type UrlCheck =
  | { ok: true; url: URL; warning?: string }
  | { ok: false; problem: string };

/**
 * Parses a normalised base URL and applies the transport policy: TLS everywhere, plain HTTP only for
 * loopback hosts (the emulator) unless the user explicitly allows it, and then with a warning.
 */
export function checkBaseUrl(base: string, allowInsecureHttp: boolean): UrlCheck {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return { ok: false, problem: `"${base}" is not a valid URL; give the deployment's address, e.g. https://your-instance.qualytics.io` };
  }
  // A name DNS cannot hold (`ht!tp://x` normalised is host `ht!tp`) would only fail to resolve.
  // Letters, digits, hyphens and dots; underscores too, which private names (containers) use; an IPv6 literal.
  if (!/^(?:[a-z0-9_-]+\.)*[a-z0-9_-]+\.?$/.test(url.hostname) && !/^\[[0-9a-f:.]+\]$/.test(url.hostname)) {
    return { ok: false, problem: `"${base}" is not a valid URL (its host "${url.hostname}" is not a host name); give the deployment's address, e.g. https://your-instance.qualytics.io` };
  }
  if (url.username || url.password) {
    return { ok: false, problem: 'the URL must not contain credentials; pass the token with QUALYTICS_TOKEN or --token-file' };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol !== 'http:') {
    return { ok: false, problem: `unsupported URL scheme "${url.protocol}"; use https://` };
  }
  if (isLoopbackHost(url.hostname)) return { ok: true, url };
  if (!allowInsecureHttp) {
    return {
      ok: false,
      problem: `refusing to send the API token over plain http to ${url.host}; use https://, or pass --allow-insecure-http if you really mean it`,
    };
  }
  return { ok: true, url, warning: `sending the API token over plain http to ${url.host} (--allow-insecure-http)` };
}
