/**
 * A small HTTP server on 127.0.0.1 that plays a Qualytics API answering whatever a test hands it:
 * canned JSON for /api/datastores (paged, per `enrichment_only`), /api/datastores/{id} and
 * /api/users/me, or a raw or streamed body. Every request is logged, so a test can assert that no
 * write (PUT, PATCH, DELETE) was sent. Not the emulator: this one is meant to misbehave.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
}

export type Answer =
  | { status?: number; json: unknown }
  | { status?: number; raw: string }
  /** Writes the body itself (e.g. lazily, in chunks). */
  | { stream: (res: ServerResponse) => void };

export interface Request {
  method: string;
  path: string;
  params: URLSearchParams;
}

/** A datastore as a well-behaved server answers it, with every enrichment field. */
export function fullDatastore(id: number, name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id, name, store_type: 'jdbc', type: 'postgresql', enrichment_only: false,
    enrichment_prefix: `_ds${id}`, enrichment_source_record_limit: 10, enrichment_remediation_strategy: 'none',
    high_count_rollup_threshold: 10, enrich_datastore: null, ...over,
  };
}

/** A listing page as fastapi-pagination builds it. */
export function pageOf(all: readonly unknown[], page: number, size: number): Record<string, unknown> {
  return { items: all.slice((page - 1) * size, page * size), total: all.length, page, size, pages: Math.ceil(all.length / size) };
}

/**
 * Answers like a correct server from `datastores` unless `answer` returns something for the request:
 * listings filtered by `enrichment_only` (default false) and paged, GET by id, /users/me an Admin,
 * writes answered with the datastore as it was.
 */
export function wellBehaved(datastores: ReadonlyArray<Record<string, unknown>>, answer: (r: Request) => Answer | undefined = () => undefined): (r: Request) => Answer {
  return (r) => {
    const special = answer(r);
    if (special) return special;
    if (r.method === 'GET' && r.path === '/api/users/me') return { json: { id: 1, name: 'Ada Admin', role: 'Admin' } };
    if (r.method === 'GET' && r.path === '/api/datastores') {
      const kind = r.params.get('enrichment_only') === 'true';
      const name = r.params.get('name');
      const all = datastores.filter((d) => d.enrichment_only === kind && (name === null || d.name === name));
      return { json: pageOf(all, Number(r.params.get('page') ?? 1), Number(r.params.get('size') ?? 50)) };
    }
    const m = /^\/api\/datastores\/(\d+)/.exec(r.path);
    const found = m ? datastores.find((d) => d.id === Number(m[1])) : undefined;
    if (!found) return { status: 404, json: { detail: 'not found' } };
    if (r.method === 'DELETE') return { status: 204, raw: '' };
    return { json: found };
  };
}

export interface HostileServer {
  url: string;
  requests: LoggedRequest[];
  writes: () => LoggedRequest[];
  close: () => Promise<void>;
}

export async function startHostile(handler: (r: Request) => Answer): Promise<HostileServer> {
  const requests: LoggedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      requests.push({ method, path: url.pathname, query: url.search.slice(1) });
      const a = handler({ method, path: url.pathname, params: url.searchParams });
      if ('stream' in a) {
        a.stream(res);
        return;
      }
      const text = 'json' in a ? JSON.stringify(a.json) : a.raw;
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
