// The error channel of the addon's pollers (ring buffers, the netlink watcher): each counts its failed
// drains and poll errors (native/src/fd_poller.cc). Summed per side here, so stats() can report them
// and the helper can say so (src/helper/probe-relay.ts) instead of losing records in silence.

import { constants } from 'node:os';
import type { Poller } from './addon.js';

export interface DrainFailures {
  count: number;
  /** errno name of the most recent failure among the pollers that failed (e.g. 'ENOMEM'); null when none. */
  lastError: string | null;
}

export const NO_DRAIN_FAILURES: DrainFailures = { count: 0, lastError: null };

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

export function pollerFailures(...pollers: Array<Pick<Poller, 'failures'> | null>): DrainFailures {
  let count = 0;
  let lastError: string | null = null;
  for (const poller of pollers) {
    const failures = poller?.failures();
    if (!failures || failures.count === 0) continue;
    count += failures.count;
    lastError = errnoName(failures.errno);
  }
  return { count, lastError };
}

export function addFailures(a: DrainFailures, b: DrainFailures): DrainFailures {
  return { count: a.count + b.count, lastError: b.lastError ?? a.lastError };
}
