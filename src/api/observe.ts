/**
 * Reads the live state the planner needs, in as few sequential round trips as the parallelism
 * allows and never more requests than the cheaper of two strategies:
 *
 *   listing:  every page of GET /datastores (page 1 is already in hand), then GET /datastores/{id}
 *             for declared ids the listing did not show (to tell 404 from 403);
 *   lookups:  one GET /datastores?name=... per declared name (exact matches kept: the filter is a
 *             substring match) and one GET /datastores/{id} per declared id.
 *
 * The first page's `total` decides. List items are used as live state when they carry every
 * enrichment field; otherwise each declared source is read with GET /datastores/{id}.
 */
import type { ApiDatastore, ListDatastoreItem } from '../core/api-types.js';
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import { REMEDIATION_STRATEGIES, type RemediationStrategy } from '../core/settings.js';
import type { Observation, ObservedDatastore } from '../plan/observation.js';
import { emptyObservation } from '../plan/observation.js';
import type { DatastoreRef as DesiredRef } from '../manifest/desired-state.js';
import type { EnrichmentState } from '../plan/types.js';
import type { QualyticsClient } from './client.js';
import { ApiError } from './errors.js';

export interface ObserveRequest {
  /** Declared sources: their full enrichment state is needed. */
  sources: readonly DesiredRef[];
  /** Declared link targets: only their id and name are needed. */
  targets: readonly DesiredRef[];
  /**
   * Read every visible datastore with its enrichment state (export, plan --report-unmanaged): forces
   * the listing, and reads by id the non-enrichment-only datastores whose list items lack the fields.
   */
  everything?: boolean;
}

export type Strategy = 'listing' | 'lookups';

export interface ObserveResult {
  observation: Observation;
  strategy: Strategy;
}

export interface ObserveOptions {
  /** Told after each request with how many are done and how many are known so far. */
  onProgress?: (done: number, known: number) => void;
}

export async function observe(client: QualyticsClient, want: ObserveRequest, options: ObserveOptions = {}): Promise<ObserveResult> {
  const obs = emptyObservation();
  const names = unique([...want.sources, ...want.targets].filter((r): r is string => typeof r === 'string'));
  const ids = unique([...want.sources, ...want.targets].filter((r): r is number => typeof r === 'number'));
  let done = 0;
  let known = 1;
  const tick = (): void => options.onProgress?.(++done, known);
  const expect = (n: number): void => {
    known += n;
  };

  const first = await client.listDatastores({ page: 1, size: MAX_PAGE_SIZE });
  tick();
  const remainingPages = Math.max(0, first.pages - 1);
  const strategy: Strategy = want.everything || remainingPages <= names.length + ids.length ? 'listing' : 'lookups';

  if (strategy === 'listing') {
    for (const item of first.items) record(obs, item);
    expect(remainingPages);
    const pages = await Promise.all(
      range(2, first.pages).map(async (page) => {
        const p = await client.listDatastores({ page, size: MAX_PAGE_SIZE });
        tick();
        return p;
      }),
    );
    for (const p of pages) for (const item of p.items) record(obs, item);
    for (const n of names) if (!obs.names.has(n)) obs.names.set(n, []);
    const unseen = ids.filter((id) => !obs.datastores.has(id));
    expect(unseen.length);
    await Promise.all(unseen.map(async (id) => { await readOne(client, obs, id); tick(); }));
  } else {
    expect(names.length + ids.length);
    await Promise.all([
      ...names.map(async (n) => { await lookUpName(client, obs, n); tick(); }),
      ...ids.map(async (id) => { await readOne(client, obs, id); tick(); }),
    ]);
  }

  // Sources whose list item lacked the enrichment fields: read them one by one.
  const wanted = want.everything
    ? [...obs.datastores.values()].filter((d) => !d.enrichment_only).map((d) => d.id)
    : want.sources;
  const lacking = unique(
    wanted
      .map((ref) => (typeof ref === 'number' ? [ref] : (obs.names.get(ref) ?? [])))
      .filter((found) => found.length === 1)
      .map((found) => found[0]!)
      .filter((id) => { const d = obs.datastores.get(id); return d !== undefined && d.state === undefined; }),
  );
  expect(lacking.length);
  await Promise.all(lacking.map(async (id) => { await readOne(client, obs, id); tick(); }));
  return { observation: obs, strategy };
}

/** Adds to an observation the names it has not looked up yet (one name-filtered listing each). */
export async function lookUpNames(client: QualyticsClient, obs: Observation, names: readonly string[]): Promise<void> {
  await Promise.all(unique(names).filter((n) => !obs.names.has(n)).map((n) => lookUpName(client, obs, n)));
}

/** All pages of a name-filtered listing; only exact matches are kept (the filter matches substrings). */
async function lookUpName(client: QualyticsClient, obs: Observation, name: string): Promise<void> {
  const first = await client.listDatastores({ name, page: 1, size: MAX_PAGE_SIZE });
  const rest = await Promise.all(range(2, first.pages).map((page) => client.listDatastores({ name, page, size: MAX_PAGE_SIZE })));
  const exact: number[] = [];
  for (const item of [first, ...rest].flatMap((p) => p.items)) {
    if (item.name !== name) continue;
    exact.push(item.id);
    mergeDatastore(obs, item);
  }
  obs.names.set(name, exact);
}

async function readOne(client: QualyticsClient, obs: Observation, id: number): Promise<void> {
  try {
    const full = await client.getDatastore(id);
    mergeDatastore(obs, full);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) obs.missing.add(id);
    else if (err instanceof ApiError && err.status === 403) obs.denied.set(id, err.detail);
    else throw err;
  }
}

function record(obs: Observation, item: ListDatastoreItem): void {
  mergeDatastore(obs, item);
  const ids = obs.names.get(item.name);
  if (ids) ids.push(item.id);
  else obs.names.set(item.name, [item.id]);
}

function mergeDatastore(obs: Observation, item: ListDatastoreItem | ApiDatastore): void {
  const observed: ObservedDatastore = {
    id: item.id,
    name: item.name,
    enrichment_only: item.enrichment_only === true,
  };
  const state = enrichmentState(item);
  if (state) observed.state = state;
  const earlier = obs.datastores.get(item.id);
  if (!earlier || (state && !earlier.state)) obs.datastores.set(item.id, observed);
}

/** The five managed values, when the item carries all of them in the expected types. */
export function enrichmentState(item: ListDatastoreItem | ApiDatastore): EnrichmentState | undefined {
  const link = item.enrich_datastore;
  if (link === undefined) return undefined;
  if (typeof item.enrichment_prefix !== 'string') return undefined;
  if (typeof item.enrichment_source_record_limit !== 'number') return undefined;
  if (typeof item.high_count_rollup_threshold !== 'number') return undefined;
  const strategy = item.enrichment_remediation_strategy;
  if (!REMEDIATION_STRATEGIES.includes(strategy as RemediationStrategy)) return undefined;
  return {
    enrich_datastore: link === null ? null : { id: link.id, name: link.name },
    enrichment_prefix: item.enrichment_prefix,
    enrichment_source_record_limit: item.enrichment_source_record_limit,
    enrichment_remediation_strategy: strategy as RemediationStrategy,
    high_count_rollup_threshold: item.high_count_rollup_threshold,
  };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
