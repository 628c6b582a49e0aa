/**
 * Loopback stand-ins for what sits between enrichctl and a real deployment: a forward proxy that
 * records what goes through it, a test CA made with openssl, and an HTTPS front that terminates TLS
 * with a certificate from that CA and relays the bytes to an emulator.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** CONNECT targets (`host:port`), in arrival order. */
  readonly tunnels: string[];
  /** Requests sent in absolute form (`GET http://host/path`), which a proxy forwards itself. */
  readonly requests: string[];
  /** Proxy-Authorization values received (CONNECT or absolute form). */
  readonly authorizations: string[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuseConnectWith?: number;
  /** Open only this many tunnels; a later CONNECT is never answered (a proxy slow to open new ones). */
  openTunnels?: number;
}

/** A forward proxy on 127.0.0.1: CONNECT tunnels by piping sockets, absolute-form requests by relaying. */
export async function startProxy(options: ProxyOptions = {}): Promise<RecordingProxy> {
  const tunnels: string[] = [];
  const requests: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.headers['proxy-authorization']) authorizations.push(req.headers['proxy-authorization']);
    const target = new URL(req.url ?? '/');
    const { 'proxy-authorization': _auth, 'proxy-connection': _pc, ...headers } = req.headers;
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    if (req.headers['proxy-authorization']) authorizations.push(req.headers['proxy-authorization']);
    client.on('error', () => client.destroy());
    if (options.refuseConnectWith !== undefined) {
      client.end(`HTTP/1.1 ${options.refuseConnectWith} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (options.openTunnels !== undefined && tunnels.length > options.openTunnels) return;
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    requests,
    authorizations,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestCa {
  /** The CA certificate (PEM file): what NODE_EXTRA_CA_CERTS names. */
  caFile: string;
  /** A server key and certificate for IP 127.0.0.1, signed by the CA. */
  key: string;
  cert: string;
}

const run = promisify(execFile);

/**
 * A throw-away CA and a 127.0.0.1 server certificate, made with openssl in a temporary directory
 * (valid 2 days). `purpose`: the certificate's extended key usage (`clientAuth` makes one a TLS
 * client refuses from a server, INVALID_PURPOSE).
 */
export async function makeTestCa({ purpose = 'serverAuth' }: { purpose?: string } = {}): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'enrichctl-ca-'));
  const at = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2',
    '-subj', '/CN=enrichctl test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  await run('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(at('server.ext'), `subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=${purpose}\n`);
  await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-out', at('server.pem'), '-days', '2', '-extfile', at('server.ext')]);
  return { caFile: at('ca.pem'), key: await readFile(at('server.key'), 'utf8'), cert: await readFile(at('server.pem'), 'utf8') };
}

export interface TlsFront {
  /** `https://127.0.0.1:PORT/api` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Terminates TLS on 127.0.0.1 with the CA's server certificate and relays the bytes to `upstreamPort`. */
export async function startTlsFront(ca: TestCa, upstreamPort: number): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: ca.key, cert: ca.cert }, (client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  // A client refusing the certificate aborts the handshake: expected here, not a test failure.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/api`,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
