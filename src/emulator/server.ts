/**
 * HTTP plumbing of the emulator (node:http): reads a request, applies faults and latency, hands it
 * to the rules in `state.ts` and writes the answer. Two path spaces:
 * - `/api/...`: the emulated API; logged, delayed and faulted as configured.
 * - `/_emulator/...`: the admin API for tests and benchmarks; no token, no log, no latency, no faults.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallLog } from './call-log.js';
import { parseFaultPatch, type FaultDecision, type FaultInjector } from './faults.js';
import type { Model } from './model.js';
import { matchRoute } from './routes.js';
import { snapshot, type Answer, type RequestBody } from './state.js';

const MAX_BODY_BYTES = 1024 * 1024;
const API_PREFIX = '/api';
const ADMIN_PREFIX = '/_emulator';

export interface ServerContext {
  model: Model;
  faults: FaultInjector;
  log: CallLog;
  /** Aborted by close(): pending latency waits end and their requests are dropped. */
  signal: AbortSignal;
  /** Listening on a loopback address only: requests must be addressed to this machine by name (the Host header). */
  loopback: boolean;
}

type ReadRequest = { method: string; path: string; query: string; body: RequestBody; bytes: number; tooLarge: boolean };

export function createEmulatorServer(context: ServerContext): Server {
  const server = createServer((req, res) => {
    handle(context, req, res).catch((error: unknown) => {
      // A bug in the emulator must show as a 500, never as a hung request.
      if (!res.headersSent && !res.destroyed) {
        send(res, { status: 500, body: { detail: `emulator error: ${String(error)}` } });
      }
    });
  });
  // Keep idle keep-alive sockets long enough for a client's pool to reuse them between requests.
  server.keepAliveTimeout = 10_000;
  return server;
}

async function handle(context: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await readRequest(req);
  // DNS rebinding: a web page whose name the attacker points at 127.0.0.1 reaches a loopback server
  // with its own name in Host, and could read the whole rehearsal copy (/_emulator/state) or write.
  if (context.loopback && !isLocalHost(req.headers.host)) {
    return void send(res, { status: 421, body: { detail: 'this emulator answers only requests addressed to this machine (Host: localhost, 127.0.0.1 or [::1])' } });
  }
  if (isUnder(request.path, ADMIN_PREFIX)) return void send(res, answerAdmin(context, request));
  if (!isUnder(request.path, API_PREFIX)) return void send(res, notFound());
  await answerApi(context, req, res, request);
}

function isLocalHost(header: string | undefined): boolean {
  if (header === undefined) return true; // HTTP/1.0: no name to check
  try {
    const { hostname } = new URL(`http://${header}`);
    return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  } catch {
    return false;
  }
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

async function readRequest(req: IncomingMessage): Promise<ReadRequest> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the cap, keep draining (so the connection stays usable) but stop keeping.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return { method: req.method ?? 'GET', path, query, body: parseBody(text), bytes: size, tooLarge: size > MAX_BODY_BYTES };
}

function parseBody(text: string): RequestBody {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid', raw: text };
  }
}

/** Bodies the call log keeps whole: far beyond any request enrichctl sends (a whole-datastore PUT is ~1 KB). */
const LOGGED_BODY_BYTES = 64 * 1024;

/** The body as the call log keeps it: a larger one only by its size (a client sending megabytes in a loop filled the heap). */
function loggedBody(body: RequestBody, bytes: number): unknown {
  if (bytes > LOGGED_BODY_BYTES) return `[a body of ${bytes} bytes, not kept]`;
  switch (body.kind) {
    case 'empty':
      return null;
    case 'json':
      return body.value;
    case 'invalid':
      return body.raw;
    default: {
      const unreachable: never = body;
      return unreachable;
    }
  }
}

async function answerApi(context: ServerContext, req: IncomingMessage, res: ServerResponse, request: ReadRequest) {
  const received = context.log.now();
  // Decided on arrival and before the state is touched, so a faulted write changes nothing and
  // scripted faults are consumed in arrival order.
  const fault = context.faults.decide(request.method, request.path);
  const latency = context.faults.latencyMs();
  if (latency > 0) {
    try {
      await delay(latency, undefined, { signal: context.signal });
    } catch {
      return; // closing: the socket is being destroyed anyway
    }
  }
  if (context.signal.aborted || res.destroyed) return;
  const log = (status: number | 'reset', timing?: 'before' | 'after-commit') =>
    context.log.record({
      method: request.method,
      path: request.path,
      query: request.query,
      body: loggedBody(request.body, request.bytes),
      status,
      received,
      ...(timing ? { injected: timing } : {}),
    });

  if (fault.kind !== 'none' && fault.timing === 'before') {
    log(fault.kind === 'reset' ? 'reset' : fault.status, 'before');
    return fault.kind === 'reset' ? void req.socket.destroy() : void send(res, faultAnswer(fault));
  }
  const answer = request.tooLarge ? tooLarge() : serve(context.model, req, request);
  if (fault.kind !== 'none') {
    log(fault.kind === 'reset' ? 'reset' : fault.status, 'after-commit');
    return fault.kind === 'reset' ? void req.socket.destroy() : void send(res, faultAnswer(fault));
  }
  log(answer.status);
  send(res, answer);
}

function serve(model: Model, req: IncomingMessage, request: ReadRequest): Answer {
  const route = matchRoute(request.method, request.path);
  switch (route.kind) {
    case 'not-found':
      return notFound();
    case 'method-not-allowed':
      return { status: 405, body: { detail: 'Method Not Allowed' }, headers: { allow: route.allow.join(', ') } };
    case 'found':
      return route.operation(model, {
        authorization: req.headers.authorization,
        params: route.params,
        query: new URLSearchParams(request.query),
        body: request.body,
      });
    default: {
      const unreachable: never = route;
      return unreachable;
    }
  }
}

function faultAnswer(fault: Extract<FaultDecision, { kind: 'status' }>): Answer {
  const detail = `${STATUS_CODES[fault.status] ?? 'Error'} (injected by the emulator)`;
  const headers: Record<string, string> =
    fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
  return { status: fault.status, body: { detail }, headers };
}

function notFound(): Answer {
  return { status: 404, body: { detail: 'Not Found' } };
}

function tooLarge(): Answer {
  return { status: 413, body: { detail: `Request body larger than ${MAX_BODY_BYTES} bytes` } };
}

function answerAdmin(context: ServerContext, request: ReadRequest): Answer {
  const resource = request.path.slice(ADMIN_PREFIX.length);
  const methodNotAllowed = (allow: string): Answer => ({
    status: 405,
    body: { detail: 'Method Not Allowed' },
    headers: { allow },
  });
  switch (resource) {
    case '/faults': {
      if (request.method === 'GET') return { status: 200, body: context.faults.config() };
      if (request.method !== 'PUT') return methodNotAllowed('GET, PUT');
      const body = request.body;
      if (body.kind !== 'json') return { status: 422, body: { detail: 'body must be a JSON object' } };
      const parsed = parseFaultPatch(body.value);
      if (!parsed.ok) return { status: 422, body: { detail: parsed.problem } };
      context.faults.update(parsed.patch);
      return { status: 200, body: context.faults.config() };
    }
    case '/calls':
      if (request.method === 'GET') return { status: 200, body: context.log.list() };
      if (request.method === 'DELETE') {
        context.log.clear();
        return { status: 204 };
      }
      return methodNotAllowed('GET, DELETE');
    case '/state':
      return request.method === 'GET' ? { status: 200, body: snapshot(context.model) } : methodNotAllowed('GET');
    default:
      return notFound();
  }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: Record<string, string | number> = { ...answer.headers };
  // 204 has no body by definition; everything else is JSON, as FastAPI answers.
  if (answer.status === 204 || answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(answer.status, headers);
  res.end(text);
}
