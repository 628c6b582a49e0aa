/** Waiting in the client: for a slot among the requests in flight, before a retry, and for an answer an abort may cut short. */
import type { Dispatcher } from 'undici';
import { discard } from './body.js';

/** Waits `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Bounds the requests in flight; waiters are served in order. */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  /** How many could acquire now without waiting. */
  get free(): number {
    return this.#free;
  }
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * The answer, or the signal's reason as soon as it aborts. undici ends a request by its signal once
 * the request is on a connection, but not while the connection is still opening (a proxy that
 * accepts and never answers CONNECT kept an attempt for 5 minutes, whatever the timeout); the
 * attempt ends then all the same, and an answer that comes later is dropped.
 */
export function untilAborted(answer: Promise<Dispatcher.ResponseData>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const abandon = (): void => {
      answer.then(discard, () => undefined);
      reject(signal.reason);
    };
    if (signal.aborted) return abandon();
    signal.addEventListener('abort', abandon, { once: true });
    answer.then(
      (response) => { signal.removeEventListener('abort', abandon); resolve(response); },
      (err: unknown) => { signal.removeEventListener('abort', abandon); reject(err); },
    );
  });
}
