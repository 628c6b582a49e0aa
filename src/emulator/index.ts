/**
 * The in-process emulator of the Qualytics API that tests, the demo and the benchmarks run against.
 * `startEmulator` loads a seed, listens on loopback and returns a handle to drive and inspect it.
 */
import type { AddressInfo } from 'node:net';
import type { ApiDatastore } from '../core/api-types.js';
import { createCallLog, type CallRecord } from './call-log.js';
import { createFaultInjector, type FaultConfig } from './faults.js';
import { buildModel } from './model.js';
import type { NameFilter, PutMode, Seed } from '../core/seed-types.js';
import { createEmulatorServer } from './server.js';
import { snapshot } from './state.js';

export type { CallRecord } from './call-log.js';
export type { FaultConfig, ScriptedFault } from './faults.js';
export { DEFAULT_FAULTS } from './faults.js';

export interface EmulatorOptions {
  seed: Seed;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Missing fields take DEFAULT_FAULTS (no latency, no faults). */
  faults?: Partial<FaultConfig>;
  /** False makes list items omit the four settings and `enrich_datastore` (default true). */
  listItemsCarryEnrichment?: boolean;
  /** How PUT treats a body; overrides the seed's `put` (default `partial`). */
  put?: PutMode;
  /** How the listing's `name` filter matches; overrides the seed's `name_filter` (default `exact`). */
  nameFilter?: NameFilter;
}

export interface RunningEmulator {
  /** Base URL of the API, `http://HOST:PORT/api`. */
  readonly url: string;
  /** `http://HOST:PORT`; the admin API lives at `${origin}/_emulator`. */
  readonly origin: string;
  readonly port: number;
  /**
   * The `performance.now()` at which `startEmulator` began: the call log's `at` and `received` count
   * from it, so a benchmark in the same process can put them on its own clock.
   */
  readonly startedAt: number;
  /** Stops listening and destroys every connection, idle keep-alive ones included. */
  close(): Promise<void>;
  /** Merges into the fault configuration; throws on an invalid value. */
  setFaults(faults: Partial<FaultConfig>): void;
  faults(): FaultConfig;
  calls(): CallRecord[];
  clearCalls(): void;
  /** Every datastore as an Admin's `GET /api/datastores/{id}` shows it, in id order. */
  snapshot(): ApiDatastore[];
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const startedAt = performance.now();
  const model = buildModel(options.seed, {
    listItemsCarryEnrichment: options.listItemsCarryEnrichment ?? true,
    ...(options.put ? { put: options.put } : {}),
    ...(options.nameFilter ? { nameFilter: options.nameFilter } : {}),
  });
  const faults = createFaultInjector(options.faults ?? {});
  const log = createCallLog(startedAt);
  const closing = new AbortController();
  const host = options.host ?? '127.0.0.1';
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  const server = createEmulatorServer({ model, faults, log, signal: closing.signal, loopback });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/api`,
    origin,
    port,
    startedAt,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
    setFaults: (patch) => faults.update(patch),
    faults: () => faults.config(),
    calls: () => log.list(),
    clearCalls: () => log.clear(),
    snapshot: () => snapshot(model),
  };
}
