/** Shared seed and a thin fetch wrapper for the emulator tests (Node's global fetch, not our client). */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import type { Seed } from '../../src/core/seed-types.js';

export const TOKENS = {
  admin: 'tok-admin',
  editor: 'tok-editor',
  viewer: 'tok-viewer',
  outsider: 'tok-outsider',
  manager: 'tok-manager',
  publicEditor: 'tok-public-editor',
} as const;

/**
 * 42 is linked to 100 with non-default settings; 45 is linked but has active export operations;
 * 100 and 101 are enrichment-only; 43 belongs to two teams, 46 to a team with a quote in its name.
 * Tags: 42 production, phi; 43 finance, production; 101 lake. 42's connection is 7 (named).
 */
export function testSeed(): Seed {
  return {
    users: [
      { name: 'Ada Admin', role: 'Admin', token: TOKENS.admin },
      { name: 'Eve Editor', role: 'Member', token: TOKENS.editor, teams: { 'Data Platform': 'Editor' } },
      { name: 'Vic Viewer', role: 'Member', token: TOKENS.viewer, teams: { 'Data Platform': 'Viewer' } },
      { name: 'Olga Outsider', role: 'Member', token: TOKENS.outsider },
      { name: 'Max Manager', role: 'Manager', token: TOKENS.manager, teams: { 'Data Platform': 'Editor' } },
      { name: 'Pat Public', role: 'Member', token: TOKENS.publicEditor, teams: { Public: 'Editor' } },
    ],
    datastores: [
      { id: 101, name: 'Analytics Enrichment', enrichment_only: true, store_type: 'dfs', type: 's3', tags: ['lake'] },
      {
        id: 42,
        name: 'Healthcare Database',
        store_type: 'jdbc',
        type: 'postgresql',
        teams: ['Data Platform'],
        enrichment_prefix: '_healthcare_prod',
        enrichment_source_record_limit: 100,
        enrichment_remediation_strategy: 'append',
        enrich_datastore: 100,
        tags: ['production', 'phi'],
        connection: { id: 7, name: 'postgres_production' },
      },
      { id: 43, name: 'Sales Warehouse', type: 'snowflake', teams: ['Finance', 'Data Platform'], tags: ['finance', 'production'] },
      { id: 44, name: 'Public Lake', store_type: 'dfs', type: 's3' },
      { id: 45, name: 'Busy Store', teams: ['Data Platform'], enrich_datastore: 101, active_export_or_materialize: true },
      { id: 46, name: 'Ops Store', teams: ["O'Brien Team"] },
      {
        id: 100,
        name: 'Healthcare Enrichment',
        store_type: 'jdbc',
        type: 'postgresql',
        enrichment_only: true,
        teams: ['Data Platform'],
      },
    ],
  };
}

export function start(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  return startEmulator({ seed: testSeed(), ...options });
}

export type Reply = { status: number; body: unknown; headers: Headers };

export interface CallOptions {
  /** A token from TOKENS; null sends no Authorization header. Default: the Admin's. */
  token?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (for bodies that are not JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** `path` is below the API base, e.g. `/datastores/42`. */
export async function call(em: RunningEmulator, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? TOKENS.admin : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${em.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: response.headers };
}

export function admin(em: RunningEmulator, method: string, resource: string, body?: unknown): Promise<Response> {
  return fetch(`${em.origin}/_emulator${resource}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
