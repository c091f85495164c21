// Reads the history: the connections active in a window (their state at its end and the bytes
// they moved in it), and the traffic histogram for the timeline. Both transports and the CLI
// call these; nothing else reads the tables.

import type { Database, Statement } from 'better-sqlite3';
import type { HistoryConnection, HistoryFilter, HistoryWindow, TimelineBin } from '../../shared/history.js';
import { decodeEvent } from './stored-event.js';

export const DEFAULT_LIMIT = 100_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

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

// Active in [from, to]: first seen before its end and last seen after its start, or still open
// (a quiet long-lived connection keeps an old last_seen). Two arms so each is a range on an index:
// connections_window (last_seen, first_seen) for the first, the partial connections_open for the
// second; `ORDER BY last_seen DESC LIMIT` then streams the newest first and stops at the limit
// (with one `OR` SQLite walked the whole table: 2.5–4.7 s for 100,000, bench/RESULTS.md). The
// process and country tests are only in the statements that filter: a `(:p IS NULL OR process = :p)`
// made the count read every row instead of the index alone.
interface Filters {
  process: boolean;
  country: boolean;
}
const active = (c: string, f: Filters): string =>
  `${c}.first_seen <= :to${f.process ? ` AND ${c}.process = :process` : ''}${f.country ? ` AND ${c}.country = :country` : ''}`;
const firstArm = (c: string, f: Filters): string => `${c}.last_seen >= :from AND ${active(c, f)}`;
const openArm = (c: string, f: Filters): string => `${c}.open = 1 AND ${c}.last_seen < :from AND ${active(c, f)}`;

// Bytes in the window: buckets starting in it (minute buckets; an hour bucket counts for the window
// holding its start). A connection that lived wholly inside it (from its first whole hour on, so
// even its rolled-up hour buckets start inside) moved its totals in it: no bucket lookup, which was
// most of the query's time. A connection still moving after `to` gets its counters as of `to`.
// The first minute's bytes are in the row (first_tx/first_rx, recorder.ts): a bucket at the minute
// of first_seen, counted as one.
const columns = (c: string): string => {
  const firstMinute = `(${c}.first_seen / ${MINUTE_MS}) * ${MINUTE_MS}`;
  const inWindow = (column: string): string => `(SELECT coalesce(sum(${column}), 0) FROM buckets WHERE conn = ${c}.id AND t BETWEEN :fromBucket AND :to)
      + CASE WHEN ${firstMinute} BETWEEN :fromBucket AND :to THEN ${c}.first_${column} ELSE 0 END`;
  const upTo = (column: string): string => `(SELECT coalesce(sum(${column}), 0) FROM buckets WHERE conn = ${c}.id AND t <= :to)
      + CASE WHEN ${firstMinute} <= :to THEN ${c}.first_${column} ELSE 0 END`;
  return `${c}.last_seen, ${c}.first_seen, ${c}.open, ${c}.new_host, ${c}.new_country, ${c}.event,
  CASE WHEN ${c}.first_seen >= :fromHour AND ${c}.last_seen <= :to THEN ${c}.tx_bytes ELSE ${inWindow('tx')} END AS wtx,
  CASE WHEN ${c}.first_seen >= :fromHour AND ${c}.last_seen <= :to THEN ${c}.rx_bytes ELSE ${inWindow('rx')} END AS wrx,
  CASE WHEN ${c}.last_seen > :to THEN ${upTo('tx')} END AS ctx,
  CASE WHEN ${c}.last_seen > :to THEN ${upTo('rx')} END AS crx`;
};

const windowSql = (f: Filters): string => `
  SELECT ${columns('c')} FROM connections c WHERE ${firstArm('c', f)}
  UNION ALL
  SELECT ${columns('o')} FROM connections o WHERE ${openArm('o', f)}
  ORDER BY 1 DESC
  LIMIT :limit`;

// Index-only for the first arm without filters (5 ms for 100,000): the "N more" the UI shows.
const countSql = (f: Filters): string =>
  `SELECT (SELECT count(*) FROM connections c WHERE ${firstArm('c', f)}) + (SELECT count(*) FROM connections o WHERE ${openArm('o', f)})`;

// One object literal of a fixed shape: spreading the parsed event and adding fields made V8 give
// up on the objects' shapes, 7 s instead of 0.1 s for 100,000 connections (bench/history-store.mjs).
function toConnection(row: Row, window: HistoryWindow): HistoryConnection {
  const s = decodeEvent(row.event);
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

// Prepared once per database and filter combination: preparing is a parse and plan each time.
interface Prepared {
  window: Statement;
  count: Statement;
}
const prepared = new WeakMap<Database, Map<string, Prepared>>();
function statementsOf(db: Database, f: Filters): Prepared {
  let byFilters = prepared.get(db);
  if (byFilters === undefined) prepared.set(db, (byFilters = new Map()));
  const key = `${f.process} ${f.country}`;
  let statements = byFilters.get(key);
  if (statements === undefined) {
    statements = { window: db.prepare(windowSql(f)), count: db.prepare(countSql(f)).pluck() };
    byFilters.set(key, statements);
  }
  return statements;
}

export interface WindowAnswer {
  /** The newest `limit` connections active in the window, the most recently seen first. */
  connections: HistoryConnection[];
  /** All the connections active in the window that pass the filter. */
  total: number;
  truncated: boolean;
}

export function queryWindow(db: Database, window: HistoryWindow, filter: HistoryFilter = {}): WindowAnswer {
  const limit = filter.limit ?? DEFAULT_LIMIT;
  const fromBucket = Math.floor(window.from / MINUTE_MS) * MINUTE_MS;
  const params: Record<string, number | string> = { from: window.from, to: window.to, fromBucket, fromHour: Math.ceil(fromBucket / HOUR_MS) * HOUR_MS };
  if (filter.process !== undefined) params.process = filter.process;
  if (filter.country !== undefined) params.country = filter.country.toUpperCase();
  const { window: windowStatement, count } = statementsOf(db, { process: filter.process !== undefined, country: filter.country !== undefined });
  const rows = windowStatement.all({ ...params, limit: limit + 1 }) as Row[];
  const truncated = rows.length > limit;
  const connections = rows.slice(0, limit).map((row) => toConnection(row, window));
  const total = truncated ? (count.get(params) as number) : connections.length;
  return { connections, total, truncated };
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
