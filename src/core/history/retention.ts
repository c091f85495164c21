// Keeps the history within its limits: older than maxAge goes first, then, while the pages in use
// exceed maxBytes, the oldest closed connections in slices of 5 %. Minute buckets older than
// rollupAfterMs become hour buckets (a day of minutes per connection is 60x the rows of its hours).
// Freed pages go back to the file system (auto_vacuum = INCREMENTAL).
//
// Buckets have no index on their time (schema 2 dropped buckets_t: it was a quarter of the write
// path's SQLite time, bench/RESULTS.md). Old buckets are found through their connections instead:
// a bucket never starts after its connection's last_seen, so the buckets not yet rolled up (or
// deleted) belong to connections last seen since the previous prune, a range on connections_window,
// and each connection's buckets are a range of the buckets' key (conn, t).

import type { Database } from 'better-sqlite3';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface RetentionLimits {
  maxAgeMs: number;
  maxBytes: number;
  rollupAfterMs: number;
}

export const DEFAULT_RETENTION: RetentionLimits = { maxAgeMs: 30 * DAY_MS, maxBytes: 1024 ** 3, rollupAfterMs: DAY_MS };

/** Where a prune got to; the next one only looks at what is newer. */
export interface PruneMark {
  cutoff: number;
  hour: number;
}

export interface PruneResult {
  connections: number;
  rolledUp: number;
  mark: PruneMark;
}

/** Bytes of the pages in use (the file may be larger until the vacuum runs). */
export function usedBytes(db: Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
}

function deleteConnections(db: Database, ids: number[]): void {
  const bucket = db.prepare('DELETE FROM buckets WHERE conn = ?');
  const connection = db.prepare('DELETE FROM connections WHERE id = ?');
  for (const id of ids) {
    bucket.run(id);
    connection.run(id);
  }
}

// Connections that may hold buckets starting before :before not handled by the prune that got to
// :since. (A connection first seen after :before has none: the engine's events of one connection
// come in time order.)
const HOLDERS = 'SELECT id FROM connections WHERE last_seen >= :since AND first_seen < :before';

/** `previous`: the mark of the last prune of this file in this process (none: look at everything). */
export function prune(db: Database, limits: RetentionLimits, now: number, previous: PruneMark = { cutoff: 0, hour: 0 }): PruneResult {
  const cutoff = now - limits.maxAgeMs;
  const hour = Math.floor((now - limits.rollupAfterMs) / HOUR_MS) * HOUR_MS;
  let connections = 0;
  const rolledUp = db.transaction(() => {
    const old = db.prepare('SELECT id FROM connections WHERE open = 0 AND last_seen < ?').pluck().all(cutoff) as number[];
    deleteConnections(db, old);
    connections += old.length;
    const minutes = { since: previous.hour, before: hour };
    // A connection's first minute (kept in its row, recorder.ts) older than `hour` becomes, or joins,
    // its hour bucket, as every other minute does.
    db.prepare(
      `INSERT INTO buckets (t, conn, tx, rx)
       SELECT (first_seen / ${HOUR_MS}) * ${HOUR_MS}, id, first_tx, first_rx FROM connections
       WHERE last_seen >= :since AND first_seen < :before AND (first_tx != 0 OR first_rx != 0)
       ON CONFLICT (conn, t) DO UPDATE SET tx = tx + excluded.tx, rx = rx + excluded.rx`,
    ).run(minutes);
    db.prepare('UPDATE connections SET first_tx = 0, first_rx = 0 WHERE last_seen >= :since AND first_seen < :before AND (first_tx != 0 OR first_rx != 0)').run(minutes);
    db.prepare(`DELETE FROM buckets WHERE t < :before AND conn IN (${HOLDERS})`).run({ since: previous.cutoff, before: cutoff });
    db.prepare('DELETE FROM traffic WHERE t < ?').run(cutoff);
    db.prepare(
      `INSERT INTO buckets (t, conn, tx, rx)
       SELECT (t / ${HOUR_MS}) * ${HOUR_MS} AS h, conn, sum(tx), sum(rx) FROM buckets
       WHERE t < :before AND t % ${HOUR_MS} != 0 AND conn IN (${HOLDERS}) GROUP BY conn, h
       ON CONFLICT (conn, t) DO UPDATE SET tx = tx + excluded.tx, rx = rx + excluded.rx`,
    ).run(minutes);
    return db.prepare(`DELETE FROM buckets WHERE t < :before AND t % ${HOUR_MS} != 0 AND conn IN (${HOLDERS})`).run(minutes).changes;
  })();
  for (let round = 0; round < 40 && usedBytes(db) > limits.maxBytes; round++) {
    const total = db.prepare('SELECT count(*) FROM connections WHERE open = 0').pluck().get() as number;
    if (total === 0) break;
    const ids = db.prepare('SELECT id FROM connections WHERE open = 0 ORDER BY last_seen LIMIT ?').pluck().all(Math.max(1, Math.ceil(total / 20))) as number[];
    db.transaction(() => {
      deleteConnections(db, ids);
      // The timeline starts where the oldest connection kept starts.
      const oldest = db.prepare('SELECT min(first_seen) FROM connections').pluck().get() as number | null;
      if (oldest !== null) db.prepare('DELETE FROM traffic WHERE t < ?').run(Math.floor(oldest / 60_000) * 60_000);
    })();
    connections += ids.length;
  }
  db.pragma('incremental_vacuum');
  return { connections, rolledUp, mark: { cutoff: Math.max(cutoff, previous.cutoff), hour: Math.max(hour, previous.hour) } };
}
