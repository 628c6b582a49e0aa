/**
 * The requests of a plan that go out before observe is asked: page 1 of both listings, sent before
 * the manifests are read (they depend on nothing the manifests say), and the rest of the source
 * listing, sent once the manifests are parsed when they name enough datastores for the listing to be
 * what observe will choose. Observe takes their answers (`ObserveOptions.first`).
 */
import type { ListQuery, QualyticsClient } from './client.js';
import { listingIsCheaper, listingOf, range, type Page } from './listings.js';

/** Page 1 of both listings, sent before anything else is known. */
export interface FirstPages {
  readonly source: Promise<Page>;
  readonly enrichment: Promise<Page>;
  /** Resolves once both requests are written to their connections, or have ended. */
  readonly written: Promise<void>;
  /**
   * Starts reading the rest of the source listing once its page 1 is in, when that costs no more
   * requests than `lookups` name look-ups would: observe's own choice (`listingIsCheaper`), made
   * before observe is asked, by a plan that knows how many datastores its manifests name before it
   * has checked them. Observe takes those pages, or abandons them when it chooses otherwise.
   */
  prefetchSources(lookups: number): void;
  /**
   * Resolves once the pages `prefetchSources` asked for are written, or have ended, but for those
   * that wait for a request in flight to end; now when it asked for none (yet).
   */
  prefetchWritten(): Promise<void>;
  /** The pages `prefetchSources` asked for, in order (none when it did not). */
  readonly prefetched: Promise<readonly Promise<Page>[]>;
  /** Abandons the prefetched pages. */
  dropPrefetched(): void;
  /** Abandons everything: nothing will read it, and its failures are never reported. */
  cancel(): void;
}

/**
 * Sends the first round trip of every observation, page 1 of both listings, now. The enrichment
 * listing's page is asked for even when no link target turns out to be named (observe would then
 * not ask it): one request more in those plans, in the same round trip, so no longer a wait.
 */
export function requestFirstPages(client: QualyticsClient): FirstPages {
  const abandon = new AbortController();
  const dropped = new AbortController();
  /** A listing page, and when its request is written (or has ended); a failure is observe's to report, or nobody's. */
  const send = (query: ListQuery, signal: AbortSignal, first?: Page): { answer: Promise<Page>; written: Promise<void> } => {
    let onWritten!: () => void;
    const written = new Promise<void>((resolve) => { onWritten = resolve; });
    const answer = client.listDatastores(query, { signal, onWritten }, first);
    answer.catch(() => undefined);
    return { answer, written: Promise.race([written, answer.then(() => undefined, () => undefined)]) };
  };
  const source = send({ ...listingOf('source'), page: 1 }, abandon.signal);
  const enrichment = send({ ...listingOf('enrichment'), page: 1 }, abandon.signal);
  let prefetched: Promise<readonly Promise<Page>[]> | undefined;
  let prefetchWritten: Promise<void> | undefined;
  return {
    source: source.answer,
    enrichment: enrichment.answer,
    written: Promise.all([source.written, enrichment.written]).then(() => undefined),
    prefetchSources(lookups) {
      prefetched ??= source.answer.then((first) => {
        // Page 1 came after the plan stopped, or the listing is not the cheaper read: nothing to ask.
        if (abandon.signal.aborted || !listingIsCheaper(first, lookups)) return [];
        const signal = AbortSignal.any([abandon.signal, dropped.signal]);
        const atOnce = client.freeSlots();
        const pages = range(2, first.pages).map((page) => send({ ...listingOf('source'), page }, signal, first));
        prefetchWritten = Promise.all(pages.slice(0, atOnce).map((p) => p.written)).then(() => undefined);
        return pages.map((p) => p.answer);
      }, () => []);
    },
    prefetchWritten: () => prefetchWritten ?? Promise.resolve(),
    get prefetched() {
      return prefetched ?? Promise.resolve([]);
    },
    dropPrefetched: () => dropped.abort(),
    cancel: () => abandon.abort(),
  };
}
