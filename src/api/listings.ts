/** How the listing of `GET /datastores` is read, page by page: shared by observe and the first pages. */
import { MAX_PAGE_SIZE } from '../core/api-types.js';
import type { ListQuery, QualyticsClient } from './client.js';

/** The two kinds the listing tells apart with `enrichment_only`. */
export type DatastoreKind = 'source' | 'enrichment';

/** One page of the listing, checked by the client. */
export type Page = Awaited<ReturnType<QualyticsClient['listDatastores']>>;

/** The query of a kind's listing, by `name` or whole, without its page. */
export function listingOf(kind: DatastoreKind, name?: string): Omit<ListQuery, 'page'> {
  return { size: MAX_PAGE_SIZE, ...(name === undefined ? {} : { name }), enrichment_only: kind === 'enrichment' };
}

export function remainingPages(first: Page): number {
  return Math.max(0, first.pages - 1);
}

/** Whether the rest of a listing costs no more requests than `lookups` look-ups. */
export function listingIsCheaper(first: Page, lookups: number): boolean {
  return remainingPages(first) <= lookups;
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
