/**
 * Turning what the server (or the network) said into one line for an error: the `detail` of an
 * error answer, a FastAPI validation error's entries, a body that is not JSON, a failed connection.
 * Every text read here is redacted first (redact.ts), before it is cut to length, so no part of the
 * token survives a truncation.
 */
import { STATUS_CODES } from 'node:http';
import { MAX_HEADER_BYTES, type Body } from './body.js';
import { ApiError, WEB_PAGE, type FieldProblem, type HttpMethod } from './errors.js';
import type { Redactor } from './redact.js';

/**
 * The server's `detail` on one line, and a FastAPI validation error's entries. Qualytics answers
 * business-rule errors with `{"detail": "..."}`; request validation errors (422) carry a list of
 * `{type, loc, msg, input}`, read as `field: message` (the `body`/`query`/`path` part of `loc` left
 * out; the `input` never shown, since it may echo what was sent); anything else is summarised.
 */
export function readErrorBody(raw: string, status: number, redact: Redactor): { detail: string; problems: FieldProblem[] } {
  // Redacted before parsing (a JSON-escaped echo) and each string again after (a `\u` escaped one).
  const text = redact(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { detail: text.trim() === '' ? defaultReason(status) : describeBody(text), problems: [] };
  }
  const detail = isRecord(parsed) ? parsed.detail : undefined;
  if (typeof detail === 'string') return { detail: oneLine(redact(detail)), problems: [] };
  if (Array.isArray(detail)) {
    const problems = detail.flatMap((d): FieldProblem[] => (isRecord(d) && typeof d.msg === 'string'
      ? [{ type: typeof d.type === 'string' ? d.type : '', loc: Array.isArray(d.loc) ? d.loc.filter(isLocPart).map((p) => (typeof p === 'string' ? redact(p) : p)) : [], msg: redact(d.msg) }]
      : []));
    const text = problems.length === detail.length
      ? problems.map(describeProblem).join('; ')
      : redact(JSON.stringify(detail));
    return { detail: oneLine(text), problems };
  }
  return { detail: detail === undefined ? defaultReason(status) : oneLine(redact(JSON.stringify(detail))), problems: [] };
}

function describeProblem(p: FieldProblem): string {
  const where = p.loc[0] === 'body' || p.loc[0] === 'query' || p.loc[0] === 'path' || p.loc[0] === 'header' ? p.loc.slice(1) : p.loc;
  return where.length > 0 ? `${where.join('.')}: ${p.msg}` : p.msg;
}

function isLocPart(v: unknown): v is string | number {
  return typeof v === 'string' || typeof v === 'number';
}

function defaultReason(status: number): string {
  if (status === 401) return 'the API token was refused; check QUALYTICS_TOKEN (or --token-file) and that the token has not been revoked';
  return '';
}

/** A body that is not JSON, on one line: a web page by its title, anything else by its start. */
export function describeBody(text: string): string {
  if (/^\s*<(?:!doctype\s+html|html|head|body|title)\b/i.test(text)) {
    const title = oneLine(/<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? '');
    return title ? `${WEB_PAGE} (titled "${clip(title, 80)}")` : WEB_PAGE;
  }
  return clip(oneLine(text), 200);
}

/**
 * A redirect's detail: where to, without the query (a login page's may carry state), and without
 * the path when the address holds the token, as written or percent-decoded, in a form the redactor
 * knows (parsing the address rewrites some characters, `"` as `%22`, `\` as `/`, into one it would not).
 */
export function redirectDetail(location: string | undefined, baseUrl: string, redact: Redactor): string {
  if (location === undefined) return 'a redirect';
  try {
    const to = new URL(location, baseUrl);
    const holdsToken = [location, decodeURIComponent(location)].some((form) => redact(form) !== form);
    return holdsToken ? `a redirect to ${to.origin} (its address holds the API token)` : `a redirect to ${to.origin}${to.pathname}`;
  } catch {
    return 'a redirect';
  }
}

function oneLine(s: string): string {
  return clip(s.replace(/\s+/g, ' ').trim(), 1000);
}

/** The text cut to `max` characters, `...` marking the cut. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An answer that is not a success, as one error: a redirect (enrichctl follows none) by where it
 * leads; else the server's words, or, for a page enrichctl does not read (compressed, not UTF-8),
 * its status and why.
 */
export function apiError(method: HttpMethod, path: string, status: number, answer: Body, baseUrl: string, redact: Redactor, location: string | undefined): ApiError {
  if (status === 304) return new ApiError(method, path, status, 'Not Modified, the answer to a conditional request, which enrichctl never makes: a cache or proxy in between answered', baseUrl);
  if (status >= 300 && status < 400) return new ApiError(method, path, status, redact(redirectDetail(location, baseUrl, redact)), baseUrl);
  if ('refused' in answer) return new ApiError(method, path, status, `${STATUS_CODES[status] ?? 'an error'}; its page was not read: ${answer.refused}`, baseUrl);
  const { detail, problems } = readErrorBody(answer.text, status, redact);
  return new ApiError(method, path, status, detail, baseUrl, problems);
}

/** A short, token-free reason for a failed connection. */
export function networkReason(err: unknown, signal: AbortSignal, timeoutMs: number, baseUrl: string): string {
  if (signal.aborted) return `no answer within ${formatSeconds(timeoutMs)} (raise QUALYTICS_TIMEOUT or --timeout if the server is slow)`;
  const host = new URL(baseUrl).host;
  const malformed = malformedAnswer(err);
  if (malformed !== undefined) return `${host} answered with ${malformed}, which is not HTTP enrichctl can read: a broken server, or a proxy or gateway in between`;
  if (!isRecord(err) || typeof err.code !== 'string') return `network error talking to ${host}`;
  const code = err.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}; is the URL right and the server up?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${new URL(baseUrl).hostname}; check the URL`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection to ${host} was closed before an answer arrived`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect to ${host} in time`;
    default:
      if (NOT_TLS_CODES.has(code)) return `${host} did not answer TLS; if it is a plain-http server (such as the emulator), write http:// in the URL`;
      return certificateReason(code, host) ?? `${code} talking to ${host}`;
  }
}

/**
 * An answer that breaks HTTP/1.1 (undici's parser refused it, its body is not the length its
 * Content-Length says, its headers overflow Node's limit), as words; undefined for other failures.
 * Another attempt gets the same answer: not retried.
 */
export function malformedAnswer(err: unknown): string | undefined {
  if (!isRecord(err)) return undefined;
  if (err.name === 'HTTPParserError') {
    const why = typeof err.message === 'string' ? /\(([^()]{1,100})\)$/.exec(err.message)?.[1] : undefined;
    return `a malformed HTTP message${why ? ` (${why.toLowerCase()})` : ''}`;
  }
  if (err.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'a body whose length is not the Content-Length it declared';
  if (err.code === 'UND_ERR_HEADERS_OVERFLOW') return `headers larger than enrichctl reads (${MAX_HEADER_BYTES / 1024} KiB)`;
  return undefined;
}

/** Why the certificate of `who` (a host, or a proxy by name) did not verify, and what to do; undefined when `code` is not a certificate's. */
export function certificateReason(code: string, who: string): string | undefined {
  if (UNTRUSTED_CA_CODES.has(code)) {
    return `the TLS certificate of ${who} could not be verified (${code}); if it is signed by your organisation's own CA, set NODE_EXTRA_CA_CERTS to that CA's PEM file`;
  }
  if (NOT_NOW_CODES.has(code)) return `the TLS certificate of ${who} could not be verified (${code}): it is not valid at this time; check this machine's clock`;
  if (CERTIFICATE_CODES.has(code)) return `the TLS certificate of ${who} could not be verified (${code})`;
  return undefined;
}

/** An https URL that a plain-http server answers (the emulator, most often): no further attempt speaks TLS either. */
export const NOT_TLS_CODES: ReadonlySet<string> = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/** A certificate whose issuer this machine does not trust: its organisation's own CA, most often. */
const UNTRUSTED_CA_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED',
]);
/** A certificate outside its validity period, or this machine's clock outside it. */
const NOT_NOW_CODES: ReadonlySet<string> = new Set(['CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED']);

/**
 * Every code Node gives a certificate that does not verify (OpenSSL's verification errors, and the
 * host-name check): no further attempt can mend one, so none is made (transport.ts).
 */
export const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  ...UNTRUSTED_CA_CODES, ...NOT_NOW_CODES,
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'INVALID_PURPOSE', 'INVALID_CA', 'CERT_REVOKED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'CERT_CHAIN_TOO_LONG', 'PATH_LENGTH_EXCEEDED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'CRL_SIGNATURE_FAILURE', 'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD', 'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
]);

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

