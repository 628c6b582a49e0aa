/**
 * A Qualytics host whose certificate comes from the organisation's own CA: the built binary
 * refuses it (saying why and what to do) until NODE_EXTRA_CA_CERTS names the CA, which Node reads
 * at start-up, hence real processes. Also through HTTPS_PROXY, where TLS runs inside the tunnel, and
 * an https:// proxy's own certificate.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { BIN } from '../helpers/bin.js';
import { manifest, workspace } from '../helpers/cli.js';
import { makeTestCa, startProxy, startTlsFront, type TestCa, type TlsFront } from '../helpers/network.js';
import { ADMIN_TOKEN, world } from './world.js';

const M = manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n');

let em: RunningEmulator;
let ca: TestCa;
let front: TlsFront;
let dir: string;
beforeAll(async () => {
  [em, ca, dir] = await Promise.all([startEmulator({ seed: world() }), makeTestCa(), workspace({ 'm.yaml': M })]);
  front = await startTlsFront(ca, em.port);
});
afterAll(async () => {
  await front.close();
  await em.close();
});

/** The binary with this machine's environment minus anything that would change the route or the trust. */
function plan(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(https?_proxy|no_proxy|node_extra_ca_certs|qualytics_.*|enrichctl_.*)$/i.test(k)) env[k] = v;
  }
  Object.assign(env, { HOME: dir, NO_COLOR: '1', QUALYTICS_URL: front.url, QUALYTICS_TOKEN: ADMIN_TOKEN }, extra);
  const child = spawn(process.execPath, [BIN, 'plan', 'm.yaml'], { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('a certificate from a private CA', () => {
  it('is refused without NODE_EXTRA_CA_CERTS, with the reason and the remedy, at the first attempt', async () => {
    em.clearCalls();
    const r = await plan({});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: GET /datastores failed: the TLS certificate of 127.0.0.1:${front.port} could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE); ` +
        "if it is signed by your organisation's own CA, set NODE_EXTRA_CA_CERTS to that CA's PEM file\n",
    );
    expect(em.calls()).toStrictEqual([]);
  });

  it('is refused at the first attempt when trusted but not for a server (other verification codes were retried 5 times, named by their code alone)', async () => {
    const wrong = await makeTestCa({ purpose: 'clientAuth' });
    const clientOnly = await startTlsFront(wrong, em.port);
    try {
      em.clearCalls();
      const r = await plan({ NODE_EXTRA_CA_CERTS: wrong.caFile, QUALYTICS_URL: clientOnly.url });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `error: GET /datastores failed: the TLS certificate of 127.0.0.1:${clientOnly.port} could not be verified (INVALID_PURPOSE)\n`,
      });
      expect(em.calls()).toStrictEqual([]);
    } finally {
      await clientOnly.close();
    }
  });

  it('is trusted with NODE_EXTRA_CA_CERTS naming the CA', async () => {
    const r = await plan({ NODE_EXTRA_CA_CERTS: ca.caFile });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 1 datastore to change (1 link), 0 unchanged.');
  });

  it('is trusted through HTTPS_PROXY too, TLS running inside the tunnel', async () => {
    const proxy = await startProxy();
    try {
      const r = await plan({ NODE_EXTRA_CA_CERTS: ca.caFile, HTTPS_PROXY: proxy.url });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Plan: 1 datastore to change (1 link');
      expect(new Set(proxy.tunnels)).toStrictEqual(new Set([`127.0.0.1:${front.port}`]));
      expect(proxy.requests).toStrictEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

// The proxy's own TLS comes before the tunnel: its failures are the proxy's, not the Qualytics host's
// (they named the host, and a plain-http proxy written https:// read "write http:// in the URL").
describe('an https:// proxy', () => {
  it('whose certificate is from a private CA: named as the proxy, and trusted with NODE_EXTRA_CA_CERTS', async () => {
    const proxy = await startProxy();
    const tlsProxy = await startTlsFront(ca, proxy.port);
    try {
      const env = { QUALYTICS_URL: em.url, HTTP_PROXY: `https://127.0.0.1:${tlsProxy.port}` };
      em.clearCalls();
      const refused = await plan(env);
      expect({ code: refused.code, stdout: refused.stdout, stderr: refused.stderr }).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `error: GET /datastores failed: the TLS certificate of the proxy 127.0.0.1:${tlsProxy.port} (HTTP_PROXY) could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE); ` +
          "if it is signed by your organisation's own CA, set NODE_EXTRA_CA_CERTS to that CA's PEM file\n",
      });
      expect(em.calls()).toStrictEqual([]);
      const trusted = await plan({ ...env, NODE_EXTRA_CA_CERTS: ca.caFile });
      expect(trusted.code).toBe(0);
      expect(new Set(proxy.tunnels)).toStrictEqual(new Set([`127.0.0.1:${em.port}`]));
    } finally {
      await tlsProxy.close();
      await proxy.close();
    }
  });

  it('that speaks plain http: named as the proxy, with the scheme to write, at the first attempt', async () => {
    const proxy = await startProxy();
    try {
      const r = await plan({ QUALYTICS_URL: em.url, http_proxy: `https://127.0.0.1:${proxy.port}` });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `error: GET /datastores failed: the proxy 127.0.0.1:${proxy.port} (http_proxy) did not answer TLS; if it is a plain-http proxy, write http:// in http_proxy\n`,
      });
      expect(proxy.tunnels).toStrictEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
