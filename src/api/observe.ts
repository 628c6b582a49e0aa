/**
 * Reads the live state the planner needs, in as few sequential round trips as the parallelism
 * allows and never more requests than the cheaper of two strategies, chosen per kind of datastore.
 *
 * The listing of `GET /datastores` shows one kind at a time: `enrichment_only=false` (source
 * datastores; the documented default, so a plain listing never shows an enrichment datastore) or
 * `enrichment_only=true`. enrichctl always names the kind it wants and asks page 1 of both at once:
 *
 *   listing:  every page of that kind's listing, then GET /datastores/{id} for declared ids no
 *             listing showed (to tell 404 from 403);
 *   lookups:  one `name`-filtered listing of that kind per declared name (only exact matches are
 *             kept: older servers filter by substring) and one GET /datastores/{id} per declared id.
 *
 * `plan` sends both first pages before it reads the manifests, and the rest of the source listing
 * before it checks them (`first-pages.ts`): the server answers while the manifests are read.
 *
 * Each first page's `total` decides its kind's strategy. Sources are declared sources' names; the
 * enrichment kind is the link targets' names. A name not found in its kind is looked up in the other
 * one (only then, so a correct plan pays nothing) for a precise error: "an enrichment datastore,
 * cannot be a source" or "a source datastore, cannot be a link target". A server that ignores the
 * filter returns the same datastores twice: they are merged by id. Within one listing, the pages
 * must add up (`Reader.#whole`, and shapes.ts `pageCheck` page by page): a listing that changed
 * while it was read, or repeats itself, would leave datastores unseen.
 *
 * List items are used as live state when they carry every enrichment field; otherwise each declared
 * source is read with GET /datastores/{id}.
 */
import type { ListDatastoreItem } from '../core/api-types.js';
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import { emptyObservation, NONE_OF_KIND, onlyOfKind, type Observation } from '../model/observation.js';
import type { DeclaredRef } from '../model/desired.js';
import type { ListQuery, QualyticsClient } from './client.js';
import { ApiError, UnusableResponseError } from './errors.js';
import type { FirstPages } from './first-pages.js';
import { listingIsCheaper, listingOf, range, remainingPages, type DatastoreKind, type Page } from './listings.js';
import { mergeDatastore } from './observed-item.js';

export interface ObserveRequest {
  /** Declared sources: their full enrichment state is needed. */
  sources: readonly DeclaredRef[];
  /** Declared link targets: only their id, name and kind are needed. */
  targets: readonly DeclaredRef[];
  /**
   * Read every visible datastore with its enrichment state (export, plan --report-unmanaged): forces
   * both listings, and reads by id the source datastores whose list items lack the fields.
   */
  everything?: boolean;
  /**
   * What the manifests' rules filter on, one item per rule: the source datastores they may match must
   * all be seen. A rule with neither tags nor types needs the whole source listing; otherwise the
   * listings filtered by each rule's tags and types (the API ANDs them, any of each) are read when that
   * is fewer requests than the rest of the source listing. Names (globs) are matched by the planner.
   */
  rules?: readonly RuleFilter[];
}

/** The criteria of one rule that the API filters on. */
export interface RuleFilter {
  tags?: readonly string[];
  types?: readonly string[];
}

export type Strategy = 'listing' | 'lookups';

export interface ObserveResult {
  observation: Observation;
  /** The strategy used for source datastores (the enrichment kind's is chosen the same way). */
  strategy: Strategy;
}

export interface ObserveOptions {
  /** Told after each request with how many are done and how many are known so far. */
  onProgress?: (done: number, known: number) => void;
  /** The first pages, already asked for (`requestFirstPages`); else observe asks them itself. */
  first?: FirstPages;
}

export async function observe(client: QualyticsClient, want: ObserveRequest, options: ObserveOptions = {}): Promise<ObserveResult> {
  const reader = new Reader(client, options.onProgress);
  const names: Record<DatastoreKind, string[]> = {
    source: unique(want.sources.filter(isName)),
    enrichment: unique(want.targets.filter(isName)),
  };
  const ids = unique([...want.sources, ...want.targets].filter((r): r is number => typeof r === 'number'));

  // No declared target by name: the enrichment listing is not needed (nor its first page, unless
  // it was asked already: then it is left unread).
  const wantsEnrichment = want.everything === true || names.enrichment.length > 0;
  const early = options.first;
  const firstPage = (kind: DatastoreKind): Promise<Page> => (early ? reader.arrived(early[kind]) : reader.page(listingOf(kind), 1));
  reader.expect(wantsEnrichment ? 2 : 1);
  const [firstSources, firstEnrichment] = await Promise.all([firstPage('source'), wantsEnrichment ? firstPage('enrichment') : EMPTY_PAGE]);
  const first: Record<DatastoreKind, Page> = { source: firstSources, enrichment: firstEnrichment };
  // The ids count against the source listing: the lookups strategy reads each of them by id.
  const cost: Record<DatastoreKind, number> = { source: names.source.length + ids.length, enrichment: names.enrichment.length };
  // Rules: the whole source listing, or one filtered listing per distinct filter when that is cheaper.
  const filters = ruleFilters(want.rules ?? []);
  const wholeForRules = filters !== undefined && (filters === 'all' || listingIsCheaper(first.source, filters.length));
  const listed = (kind: DatastoreKind): boolean =>
    want.everything === true || (kind === 'source' && wholeForRules) || (kind === 'source' || wantsEnrichment) && listingIsCheaper(first[kind], cost[kind]);
  if (!listed('source')) early?.dropPrefetched();

  await Promise.all([
    ...KINDS.map((kind) => (listed(kind) ? reader.rest(kind, first[kind], kind === 'source' ? early?.prefetched : undefined) : reader.lookUp(kind, names[kind], first[kind]))),
    ...(Array.isArray(filters) && !listed('source') ? filters.map((f) => reader.filtered(f)) : []),
  ]);
  if (listed('source')) {
    await reader.readAll(ids.filter((id) => !reader.obs.datastores.has(id)));
  } else {
    await reader.readAll(ids);
  }

  // A name missing from its own kind: was it declared as the other kind by mistake?
  await Promise.all(KINDS.map((kind) => {
    const other = otherKind(kind);
    const strays = names[kind].filter((n) => !reader.covered(n, other) && !reader.hasKind(n, kind));
    return reader.lookUp(other, strays);
  }));
  for (const kind of KINDS) for (let i = 0; i < names[kind].length; i++) reader.noteChecked(names[kind][i]!);

  // Sources whose list item lacked the enrichment fields: read them one by one.
  const obs = reader.obs;
  const wanted = want.everything
    ? [...obs.datastores.values()].filter((d) => !d.enrichment_only).map((d) => d.id)
    : want.sources;
  const lacking = new Set<number>();
  for (let i = 0; i < wanted.length; i++) {
    const ref = wanted[i]!;
    // A name: its one source datastore (none, or several, are the planner's to report).
    const d = obs.datastores.get(typeof ref === 'number' ? ref : onlyOfKind(obs, ref, false));
    if (d !== undefined && d.state === undefined) lacking.add(d.id);
  }
  await reader.readAll([...lacking]);
  return { observation: obs, strategy: listed('source') ? 'listing' : 'lookups' };
}

/** The distinct filtered listings the rules need, or 'all' when one rule can only be matched on the whole listing. */
function ruleFilters(rules: readonly RuleFilter[]): RuleFilter[] | 'all' | undefined {
  if (rules.length === 0) return undefined;
  const distinct = new Map<string, RuleFilter>();
  for (const r of rules) {
    if (!r.tags?.length && !r.types?.length) return 'all';
    const f: RuleFilter = { ...(r.tags?.length ? { tags: [...r.tags].sort() } : {}), ...(r.types?.length ? { types: [...r.types].sort() } : {}) };
    distinct.set(JSON.stringify(f), f);
  }
  return [...distinct.values()];
}

/** Adds to an observation the names it has not looked up yet (one name-filtered listing each, of the given kind). */
export async function lookUpNames(client: QualyticsClient, obs: Observation, names: readonly string[], kind: DatastoreKind = 'enrichment'): Promise<void> {
  const reader = new Reader(client, undefined, obs);
  await reader.lookUp(kind, unique(names).filter((n) => !obs.names.has(n)));
  for (const n of names) reader.noteChecked(n);
}

const KINDS: readonly DatastoreKind[] = ['source', 'enrichment'];

const EMPTY_PAGE: Page = { items: [], total: 0, page: 1, size: MAX_PAGE_SIZE, pages: 0 };

function otherKind(kind: DatastoreKind): DatastoreKind {
  return kind === 'source' ? 'enrichment' : 'source';
}

/** The requests of one observation, with what they covered and the progress count. */
class Reader {
  /** Kinds whose whole listing was read. */
  readonly #complete = new Set<DatastoreKind>();
  /** Name -> kinds it was looked up in. */
  readonly #looked = new Map<string, Set<DatastoreKind>>();
  #done = 0;
  #known = 0;

  constructor(
    readonly client: QualyticsClient,
    readonly onProgress?: (done: number, known: number) => void,
    readonly obs: Observation = emptyObservation(),
  ) {}

  expect(n: number): void {
    this.#known += n;
  }

  #tick(): void {
    this.onProgress?.(++this.#done, this.#known);
  }

  /** Page `page` of a listing; after page 1, `first` is what page 1 said. */
  async page(query: Omit<ListQuery, 'page'>, page: number, first?: Page): Promise<Page> {
    return this.arrived(this.client.listDatastores({ ...query, page }, undefined, first));
  }

  /** A page asked for elsewhere (or just now), counted as done when it arrives. */
  async arrived(answer: Promise<Page>): Promise<Page> {
    const p = await answer;
    this.#tick();
    return p;
  }

  /** The pages after the first, recording every item; `prefetched`: those asked for already, if any. */
  async rest(kind: DatastoreKind, first: Page, prefetched?: Promise<readonly Promise<Page>[]>): Promise<void> {
    this.#recordAll(await this.#whole(listingOf(kind), first, (await prefetched) ?? []), kind);
    this.#complete.add(kind);
  }

  /** Every page of a source listing filtered by a rule's tags and types, recording every item. */
  async filtered(filter: RuleFilter): Promise<void> {
    this.expect(1);
    const query = { size: MAX_PAGE_SIZE, enrichment_only: false, ...(filter.tags ? { tag: filter.tags } : {}), ...(filter.types ? { datastore_type: filter.types } : {}) };
    this.#recordAll(await this.#whole(query, await this.page(query, 1)), 'source');
  }

  /**
   * Every page of a name-filtered listing; only exact matches are kept (older servers match
   * substrings). `unfiltered`: page 1 of the kind's whole listing, when it was read: a datastore it
   * shows by that name counts too, so a server whose filter missed one never makes a shared name
   * look like one datastore's.
   */
  async lookUp(kind: DatastoreKind, names: readonly string[], unfiltered?: Page): Promise<void> {
    this.expect(names.length);
    await Promise.all(names.map(async (name) => {
      const query = listingOf(kind, name);
      for (const page of await this.#whole(query, await this.page(query, 1))) {
        for (const item of page.items) if (item.name === name) this.#record(item, kind);
      }
      if (unfiltered) for (const item of unfiltered.items) if (item.name === name) this.#record(item, kind);
      let kinds = this.#looked.get(name);
      if (!kinds) this.#looked.set(name, (kinds = new Set()));
      kinds.add(kind);
    }));
  }

  async readAll(ids: readonly number[]): Promise<void> {
    this.expect(ids.length);
    await Promise.all(ids.map(async (id) => { await readOne(this.client, this.obs, id); this.#tick(); }));
  }

  /** Whether the name is known to hold a datastore of this kind. */
  hasKind(name: string, kind: DatastoreKind): boolean {
    return onlyOfKind(this.obs, name, kind === 'enrichment') !== NONE_OF_KIND;
  }

  /** Whether every datastore of this kind with this name is known. */
  covered(name: string, kind: DatastoreKind): boolean {
    return this.#complete.has(kind) || this.#looked.get(name)?.has(kind) === true;
  }

  /** A name that was looked up or listed and matched nothing is recorded as matching nothing. */
  noteChecked(name: string): void {
    if (!this.obs.names.has(name)) this.obs.names.set(name, []);
  }

  /**
   * Every page of a listing: `first`, and the others read now or taken from `asked` (all of them,
   * asked already), once they hold `total` different datastores. Each page was checked against page
   * 1 (shapes.ts `pageCheck`); the same datastore on two pages, with as many missing, is what is
   * left: the listing changed between two pages, or repeats itself.
   */
  async #whole(query: Omit<ListQuery, 'page'>, first: Page, asked: readonly Promise<Page>[] = []): Promise<readonly Page[]> {
    this.expect(remainingPages(first));
    const pages = [first, ...(await Promise.all(asked.length === remainingPages(first)
      ? asked.map((answer) => this.arrived(answer))
      : range(2, first.pages).map((n) => this.page(query, n, first))))];
    const ids = new Set<number>();
    for (let p = 0; p < pages.length; p++) {
      const items = pages[p]!.items;
      for (let i = 0; i < items.length; i++) ids.add(items[i]!.id);
    }
    if (ids.size !== first.total) {
      throw new UnusableResponseError('GET', this.client.listingRequest(query),
        `its ${pages.length} ${pages.length === 1 ? 'page holds' : 'pages hold'} ${ids.size} different datastores, but it says there are ${first.total}: ` +
        'the listing changed while it was read, or repeats datastores on several pages; run the command again', 200);
    }
    return pages;
  }

  #recordAll(pages: readonly Page[], kind: DatastoreKind): void {
    for (let p = 0; p < pages.length; p++) {
      const items = pages[p]!.items;
      for (let i = 0; i < items.length; i++) this.#record(items[i]!, kind);
    }
  }

  #record(item: ListDatastoreItem, kind: DatastoreKind): void {
    mergeDatastore(this.obs, item, kind);
    const ids = this.obs.names.get(item.name);
    if (!ids) this.obs.names.set(item.name, [item.id]);
    else if (!ids.includes(item.id)) ids.push(item.id);
  }
}

/** Reads these datastores by id into the observation (404 and 403 recorded, as for declared ids). */
export async function readByIds(client: QualyticsClient, obs: Observation, ids: readonly number[]): Promise<void> {
  await new Reader(client, undefined, obs).readAll(ids);
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

function isName(ref: DeclaredRef): ref is string {
  return typeof ref === 'string';
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
