/**
 * The one step every text from the network goes through before it can reach an output, a report or
 * a file: the token, in the forms a server or a proxy may echo it, becomes `[redacted]`. A server
 * that quotes the request's Authorization header in an error page (a 401 detail, a FastAPI 422
 * `input`, a proxy's HTML page) would otherwise print the token on stderr, in apply reports and in
 * pull-request comments. The client applies it (client.ts), since only the client holds the token.
 */
export const REDACTED = '[redacted]';

export type Redactor = (text: string) => string;

/**
 * Forms recognised: the token itself, JSON-escaped (`/` as `\/`, and as JSON.stringify escapes it),
 * URL-encoded (either hex case), and the base64 of the token and of `Bearer <token>` (Basic-style
 * echoes); each with an optional `Bearer ` before it, "bearer" in any case, separated by spaces,
 * `%20` or `+`.
 */
export function makeRedactor(token: string): Redactor {
  if (token === '') return (text) => text;
  const forms = new Set<string>([
    token,
    token.replace(/\//g, '\\/'),
    // As JSON.stringify writes it (a quote, a backslash or a control character escaped), and with `/` escaped too.
    JSON.stringify(token).slice(1, -1),
    JSON.stringify(token).slice(1, -1).replace(/\//g, '\\/'),
    encodeURIComponent(token),
    base64(token),
    base64(`Bearer ${token}`),
  ]);
  const alternatives = [...forms]
    .filter((f) => f !== '')
    .sort((a, b) => b.length - a.length)
    .map((f) => escapeRegExp(f).replace(/%([0-9A-F]{2})/g, (_m, hex: string) => `%${hexEitherCase(hex)}`))
    .join('|');
  const pattern = new RegExp(`(?:[Bb][Ee][Aa][Rr][Ee][Rr](?:\\s|%20|\\+)+)?(?:${alternatives})`, 'g');
  return (text) => text.replace(pattern, REDACTED);
}

/** Base64 without padding, so that an echo inside longer text still matches. */
function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, '');
}

function hexEitherCase(hex: string): string {
  return [...hex].map((c) => (/[A-F]/.test(c) ? `[${c}${c.toLowerCase()}]` : c)).join('');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
