/**
 * A hostile server for secrecy tests: a node:http front on 127.0.0.1 that forwards every request to
 * the emulator, except those `hostile` answers itself, typically echoing the request's Authorization
 * header back (as some servers and proxies do in error pages). `rewrite` may also alter the JSON of
 * forwarded answers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileAnswer {
  status: number;
  contentType: string;
  body: string;
  /** A `Location` header (a redirect). */
  location?: string;
}

export interface HostileFront {
  url: string;
  close(): Promise<void>;
}

export interface HostileOptions {
  /** The emulator's base URL, ending in `/api`. */
  upstream: string;
  /** An answer of its own for this request (the Authorization header as sent), or undefined to forward. */
  hostile?: (req: IncomingMessage, authorization: string) => HostileAnswer | undefined;
  /** Changes a forwarded JSON answer in place. */
  rewrite?: (value: unknown, authorization: string) => void;
  /** Then rewrites its text (to spell something with JSON escapes, say). */
  spell?: (text: string, authorization: string) => string;
}

export async function startHostileFront(options: HostileOptions): Promise<HostileFront> {
  const upstream = new URL(options.upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const authorization = req.headers.authorization ?? '';
      const own = options.hostile?.(req, authorization);
      if (own) {
        res.writeHead(own.status, { 'content-type': own.contentType, ...(own.location === undefined ? {} : { location: own.location }) });
        res.end(own.body);
        return;
      }
      const body = Buffer.concat(chunks);
      fetch(`${upstream.origin}${req.url ?? '/'}`, {
        method: req.method,
        headers: { authorization, ...(body.length > 0 ? { 'content-type': 'application/json' } : {}) },
        body: body.length > 0 ? body : undefined,
      }).then(async (answer) => {
        let text = await answer.text();
        if (options.rewrite && text !== '') {
          const value: unknown = JSON.parse(text);
          options.rewrite(value, authorization);
          text = JSON.stringify(value);
          if (options.spell) text = options.spell(text, authorization);
        }
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      }, () => {
        res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
