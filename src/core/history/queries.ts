// Reads the history: the connections active in a window (their state at its end and the bytes
// they moved in it), and the traffic histogram for the timeline. Both transports and the CLI
// call these; nothing else reads the tables.

import type { Database } from 'better-sqlite3';
import type { ConnectionEvent } from '../../shared/contract.js';
import type { HistoryConnection, HistoryFilter, HistoryWindow, TimelineBin } from '../../shared/history.js';

export const DEFAULT_LIMIT = 100_000;
const MINUTE_MS = 60_000;

interface Row {
  first_seen: number;
  last_seen: number;
  open: number;
  new_host: number;
  new_country: number;
  event: string;
  wtx: number;
  wrx: number;
  ctx: number | null;
  crx: number | null;
}

// Active in [from, to]: first seen before its end, last seen after its start, or still open.
// (Correlated subqueries on the buckets' primary key (conn, t): a join grouped by connection sorted
// every row with its event text, 20x slower for 100,000 connections.) Bytes in the window: buckets starting in it (minute buckets; an hour bucket counts for the window
// holding its start). A connection still moving after `to` gets its counters as of `to` from its buckets.
const WINDOW_SQL = `
  SELECT c.first_seen, c.last_seen, c.open, c.new_host, c.new_country, c.event,
    (SELECT coalesce(sum(tx), 0) FROM buckets WHERE conn = c.id AND t BETWEEN :fromBucket AND :to) AS wtx,
    (SELECT coalesce(sum(rx), 0) FROM buckets WHERE conn = c.id AND t BETWEEN :fromBucket AND :to) AS wrx,
    CASE WHEN c.last_seen > :to THEN (SELECT coalesce(sum(tx), 0) FROM buckets WHERE conn = c.id AND t <= :to) END AS ctx,
    CASE WHEN c.last_seen > :to THEN (SELECT coalesce(sum(rx), 0) FROM buckets WHERE conn = c.id AND t <= :to) END AS crx
  FROM connections c
  WHERE c.first_seen <= :to AND (c.last_seen >= :from OR c.open = 1)
    AND (:process IS NULL OR c.process = :process) AND (:country IS NULL OR c.country = :country)
  ORDER BY c.last_seen DESC
  LIMIT :limit`;

// One object literal of a fixed shape: spreading the parsed event and adding fields made V8 give
// up on the objects' shapes, 7 s instead of 0.1 s for 100,000 connections (bench/history-store.mjs).
function toConnection(row: Row, window: HistoryWindow): HistoryConnection {
  const s = JSON.parse(row.event) as ConnectionEvent;
  const endedInside = row.open === 0 && row.last_seen <= window.to;
  return {
    type: 'connection',
    event: endedInside ? s.event : row.first_seen >= window.from ? 'open' : 'update',
    id: s.id,
    ts: endedInside ? s.ts : Math.min(row.last_seen, window.to),
    proto: s.proto,
    direction: s.direction,
    family: s.family,
    local: s.local,
    remote: s.remote,
    process: s.process,
    txBytes: row.ctx ?? s.txBytes,
    rxBytes: row.crx ?? s.rxBytes,
    txPackets: s.txPackets,
    rxPackets: s.rxPackets,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    windowTxBytes: row.wtx,
    windowRxBytes: row.wrx,
    newHost: row.new_host === 1,
    newCountry: row.new_country === 1,
  };
}

export function queryWindow(db: Database, window: HistoryWindow, filter: HistoryFilter = {}): { connections: HistoryConnection[]; truncated: boolean } {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  const rows = db.prepare(WINDOW_SQL).all({
    from: window.from,
    to: window.to,
    fromBucket: Math.floor(window.from / MINUTE_MS) * MINUTE_MS,
    process: filter.process ?? null,
    country: filter.country?.toUpperCase() ?? null,
    limit: limit + 1,
  }) as Row[];
  const truncated = rows.length > limit;
  return { connections: rows.slice(0, limit).map((row) => toConnection(row, window)), truncated };
}

/** Traffic per `stepMs` bin (aligned to the epoch, UTC) in [from, to). */
export function queryTimeline(db: Database, from: number, to: number, stepMs: number): { oldest: number | null; bins: TimelineBin[] } {
  const bins = db
    .prepare(
      `SELECT (t / CAST(:step AS INTEGER)) * CAST(:step AS INTEGER) AS t, sum(tx) AS txBytes, sum(rx) AS rxBytes, sum(opened) AS opened
       FROM traffic WHERE t >= :from AND t < :to GROUP BY 1 ORDER BY 1`,
    )
    .all({ step: stepMs, from: Math.floor(from / stepMs) * stepMs, to }) as TimelineBin[];
  const oldest = db.prepare('SELECT min(t) FROM traffic').pluck().get() as number | null;
  return { oldest, bins };
}
