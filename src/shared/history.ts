// What the history store answers (src/core/history), shared by `snitchmap history --json`, the
// window.snitchmap contract (getHistory, getTimeline) and the renderer. One definition of each shape.

import type { ConnectionEvent } from './contract.js';

/** A connection as it was in a time window: the watch contract's fields plus its lifetime. */
export interface HistoryConnection extends ConnectionEvent {
  /** Milliseconds since the epoch: the first and last event recorded for this connection. */
  firstSeen: number;
  lastSeen: number;
  /** Bytes moved inside the window (minute buckets; hour buckets past the roll-up age). */
  windowTxBytes: number;
  windowRxBytes: number;
  /** This connection was the first of its process to its host (or, without a host, its remote address). */
  newHost: boolean;
  /** ... or the first of its process to its country. */
  newCountry: boolean;
}

export interface HistoryWindow {
  from: number;
  to: number;
}

export interface HistoryFilter {
  /** Process name (comm), exact. */
  process?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  /** At most this many connections, the most recently seen first (default 100,000; the UI's bound is lower, src/core/history/api.ts). */
  limit?: number;
}

export interface HistoryResult {
  /** False when history is off or could not be opened; `notice` then says why. */
  enabled: boolean;
  file: string | null;
  /** The newest connections active in the window (at most the filter's limit), last seen first. */
  connections: HistoryConnection[];
  /** How many connections are active in the window: more than `connections` holds when the limit cut it. */
  total: number;
  /** True when `limit` cut the list (total > connections.length). */
  truncated: boolean;
  /** Something the user must know (a corrupt file moved aside, a locked file, history off). */
  notice: string | null;
}

export interface TimelineBin {
  /** Start of the bin, milliseconds since the epoch. */
  t: number;
  txBytes: number;
  rxBytes: number;
  /** Connections opened in the bin. */
  opened: number;
}

export interface Timeline {
  enabled: boolean;
  /** Oldest data kept, or null when empty. */
  oldest: number | null;
  stepMs: number;
  bins: TimelineBin[];
  notice: string | null;
}
