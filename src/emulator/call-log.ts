/**
 * The record of /api requests the emulator answered, for tests to assert the exact writes a client
 * made. It holds method, path, query and body only: never headers, so never a token.
 */
import type { FaultTiming } from './faults.js';

export type CallRecord = {
  /** 1, 2, 3... in the order the answers were decided (for writes: the order they committed). */
  seq: number;
  method: string;
  /** Without the query string. */
  path: string;
  /** The raw query string without `?`, or ''. */
  query: string;
  /** Parsed JSON, the raw text when it was not JSON, or null when there was no body. */
  body: unknown;
  /** The status sent, or 'reset' when the connection was destroyed without an answer. */
  status: number | 'reset';
  /** Milliseconds since the emulator started (`startedAt` of the handle): when the answer was decided, after any latency. */
  at: number;
  /** Milliseconds since the emulator started: when the request had arrived whole, before any latency. */
  received: number;
  /** Present only on injected faults: whether the fault came before the state was touched or after the commit. */
  injected?: FaultTiming;
};

export interface CallLog {
  record(entry: Omit<CallRecord, 'seq' | 'at'>): void;
  /** Milliseconds since the emulator started, rounded as `at` is. */
  now(): number;
  list(): CallRecord[];
  clear(): void;
}

/** The most records kept: the oldest go first (a long rehearsal, or a client in a loop, would fill the heap). */
export const MAX_CALL_RECORDS = 100_000;

export function createCallLog(startedAt: number = performance.now()): CallLog {
  let records: CallRecord[] = [];
  let seq = 0;
  const now = (): number => Math.round((performance.now() - startedAt) * 1000) / 1000;
  return {
    record(entry) {
      seq += 1;
      records.push({ seq, ...entry, at: now() });
      // Trimmed a tenth at a time, so that each record costs no copy of the rest.
      if (records.length > MAX_CALL_RECORDS) records = records.slice(records.length - Math.floor(MAX_CALL_RECORDS * 0.9));
    },
    now,
    list: () => records.slice(),
    // seq keeps counting, so records from before and after a clear cannot be confused.
    clear() {
      records = [];
    },
  };
}
