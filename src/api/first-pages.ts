/**
 * The first round trip of every observation, page 1 of both listings, sent before anything else is
 * known (`plan` sends it before it reads the manifests: it depends on nothing they say), and the
 * rest of a listing asked ahead, while the manifests are still being checked (see `ahead`).
 */
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import { monotonicMs } from '../core/clock.js';
import type { QualyticsClient } from './client.js';

/** The two kinds the listing tells apart with `enrichment_only`. */
export type DatastoreKind = 'source' | 'enrichment';

export const KINDS: readonly DatastoreKind[] = ['source', 'enrichment'];

export type Page = Awaited<ReturnType<QualyticsClient['listDatastores']>>;

/** Page 1 of both listings, sent before anything else is known, and the rest of a listing asked ahead. */
export interface FirstPages {
  readonly source: Promise<Page>;
  readonly enrichment: Promise<Page>;
  /** When they were sent (`monotonicMs`). */
  readonly sentAt: number;
  /**
   * The manifests, parsed but not yet checked, name at least this many datastores of each kind (the
   * names and ids observe weighs against the rest of a listing, see `observe`): a kind's remaining
   * pages are asked as soon as its page 1 is known, if they are no more requests than that. Observe
   * then decides the same way (a manifest that passes its checks names what it named before them),
   * and reads those pages instead of asking them again.
   */
  ahead(atLeast: Readonly<Record<DatastoreKind, number>>): void;
  /** Whether `ahead` can no longer ask anything: each kind's page 1 is in, and its rest asked or none left (or abandoned). */
  readonly settled: boolean;
  /** The remaining pages `ahead` asked for, by kind, in page order. */
  readonly rest: Readonly<Partial<Record<DatastoreKind, ReadonlyArray<Promise<Page>>>>>;
  /** Abandons them all: nothing will read them, and their failures are never reported. */
  cancel(): void;
}

/**
 * Sends the first round trip of every observation, page 1 of both listings, now. The enrichment
 * listing's page is asked for even when no link target turns out to be named (observe would then
 * not ask it): one request more in those plans, in the same round trip, so no longer a wait.
 */
export function requestFirstPages(client: QualyticsClient): FirstPages {
  const abandon = new AbortController();
  const list = (kind: DatastoreKind, page: number): Promise<Page> => {
    const answer = client.listDatastores({ page, size: MAX_PAGE_SIZE, enrichment_only: kind === 'enrichment' }, { signal: abandon.signal });
    // Read by observe, or abandoned: a failure is observe's to report, or nobody's.
    answer.catch(() => undefined);
    return answer;
  };
  const atLeast: Record<DatastoreKind, number> = { source: 0, enrichment: 0 };
  const known: Partial<Record<DatastoreKind, Page>> = {};
  const rest: Partial<Record<DatastoreKind, Array<Promise<Page>>>> = {};
  const decide = (kind: DatastoreKind): void => {
    const first = known[kind];
    if (rest[kind] || !first || remainingPages(first) === 0 || remainingPages(first) > atLeast[kind] || abandon.signal.aborted) return;
    rest[kind] = range(2, first.pages).map((n) => list(kind, n));
  };
  const firstPage = (kind: DatastoreKind): Promise<Page> => {
    const answer = list(kind, 1);
    answer.then((page) => { known[kind] = page; decide(kind); }, () => undefined);
    return answer;
  };
  return {
    source: firstPage('source'),
    enrichment: firstPage('enrichment'),
    sentAt: monotonicMs(),
    ahead(bounds) {
      for (const kind of KINDS) {
        atLeast[kind] = Math.max(atLeast[kind], bounds[kind]);
        decide(kind);
      }
    },
    get settled() {
      return abandon.signal.aborted || KINDS.every((kind) => known[kind] !== undefined && (rest[kind] !== undefined || remainingPages(known[kind]) === 0));
    },
    rest,
    cancel: () => abandon.abort(),
  };
}

export function remainingPages(first: Page): number {
  return Math.max(0, first.pages - 1);
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
