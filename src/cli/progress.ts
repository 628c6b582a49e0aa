/**
 * Progress on stderr, only on a terminal and only once work has taken more than a moment, so that
 * quick runs, pipes and CI logs stay clean.
 */
import type { Io } from './io.js';

const DELAY_MS = 400;
const EVERY_MS = 100;

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function startProgress(io: Io, label: string): Progress {
  if (io.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < DELAY_MS || now - last < EVERY_MS) return;
      last = now;
      shown = true;
      io.stderr.write(`\r${label}: ${done}/${total} requests`);
    },
    stop() {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}
