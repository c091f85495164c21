// The window query against the query it replaced (schema 1: one `OR` over the whole table and four
// bucket subqueries per connection): the same connections, states and bytes for windows that cut
// connections at either end, hold still-open ones and reach into rolled-up hour buckets; and a cut
// answer keeps the newest and counts the rest.

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistory, type History } from '../../../../src/core/history/history.js';
import { queryWindow } from '../../../../src/core/history/queries.js';
import { DAY_MS, HOUR_MS, prune } from '../../../../src/core/history/retention.js';
import { decodeEvent } from '../../../../src/core/history/stored-event.js';
import type { HistoryConnection, HistoryWindow } from '../../../../src/shared/history.js';
import { connection, FakeEngine } from './fake-engine.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const COUNT = 400;

// The query before schema 2, verbatim but for "buckets": schema 2 keeps a connection's first minute
// in its row (first_tx/first_rx), which the old query reads here as the bucket it was.
const OLD_SQL = `
  WITH buckets AS (
    SELECT conn, t, tx, rx FROM main.buckets
    UNION ALL SELECT id, (first_seen / 60000) * 60000, first_tx, first_rx FROM connections WHERE first_tx != 0 OR first_rx != 0)
  SELECT c.first_seen, c.last_seen, c.open, c.event,
    (SELECT coalesce(sum(tx), 0) FROM buckets WHERE conn = c.id AND t BETWEEN :fromBucket AND :to) AS wtx,
    (SELECT coalesce(sum(rx), 0) FROM buckets WHERE conn = c.id AND t BETWEEN :fromBucket AND :to) AS wrx,
    CASE WHEN c.last_seen > :to THEN (SELECT coalesce(sum(tx), 0) FROM buckets WHERE conn = c.id AND t <= :to) END AS ctx,
    CASE WHEN c.last_seen > :to THEN (SELECT coalesce(sum(rx), 0) FROM buckets WHERE conn = c.id AND t <= :to) END AS crx
  FROM connections c
  WHERE c.first_seen <= :to AND (c.last_seen >= :from OR c.open = 1)
  ORDER BY c.last_seen DESC`;

interface OldRow {
  first_seen: number;
  last_seen: number;
  open: number;
  event: string;
  wtx: number;
  wrx: number;
  ctx: number | null;
  crx: number | null;
}

function oldAnswer(db: Database.Database, window: HistoryWindow): Map<string, object> {
  const rows = db.prepare(OLD_SQL).all({ from: window.from, to: window.to, fromBucket: Math.floor(window.from / MINUTE) * MINUTE }) as OldRow[];
  return new Map(
    rows.map((row) => {
      const event = decodeEvent(row.event);
      return [event.id, { firstSeen: row.first_seen, lastSeen: row.last_seen, txBytes: row.ctx ?? event.txBytes, rxBytes: row.crx ?? event.rxBytes, windowTxBytes: row.wtx, windowRxBytes: row.wrx }];
    }),
  );
}

const newAnswer = (connections: HistoryConnection[]): Map<string, object> =>
  new Map(connections.map((c) => [c.id, { firstSeen: c.firstSeen, lastSeen: c.lastSeen, txBytes: c.txBytes, rxBytes: c.rxBytes, windowTxBytes: c.windowTxBytes, windowRxBytes: c.windowRxBytes }]));

let dir: string;
let db: Database.Database;
let history: History;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sm-history-window-'));
  const file = join(dir, 'h.sqlite');
  let clock = T0;
  history = openHistory({ file, now: () => clock, flushMs: 3_600_000 });
  const engine = new FakeEngine();
  history.attach(engine);
  // Over three days: connections of a few seconds to a few hours, bytes in several minutes each,
  // every tenth still open at the end (a few of those quiet for a day).
  for (let i = 0; i < COUNT; i++) {
    const id = `c${i}`;
    const start = T0 + Math.floor((i * 3 * DAY_MS) / COUNT) + (i % 7) * 1_000;
    const life = [5_000, 3 * MINUTE, 47 * MINUTE, 5 * HOUR_MS][i % 4] ?? MINUTE;
    engine.send(connection({ id, ts: start }));
    let tx = 0;
    for (let k = 1; k <= 4; k++) {
      tx += 100 * k + i;
      engine.send(connection({ id, ts: start + Math.floor((life * k) / 5), event: 'update', txBytes: tx, rxBytes: tx * 3 }));
    }
    if (i % 10 !== 3) engine.send(connection({ id, ts: start + life, event: 'close', txBytes: tx + 1, rxBytes: tx * 3 + 7 }));
    if (i % 50 === 49) history.flush();
  }
  clock = T0 + 3 * DAY_MS;
  history.flush();
  // Left open: closing would end the open connections (a second connection reads and prunes).
  db = new Database(file, { timeout: 5_000 });
  // Minutes older than a day become hours: windows that start mid-hour see them differently.
  const { rolledUp } = prune(db, { maxAgeMs: 30 * DAY_MS, maxBytes: 1024 ** 3, rollupAfterMs: DAY_MS }, T0 + 3 * DAY_MS);
  expect(rolledUp).toBeGreaterThan(0);
});

afterAll(() => {
  db.close();
  history.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('window query', () => {
  const windows: Array<[string, HistoryWindow]> = [
    ['everything', { from: T0 - HOUR_MS, to: T0 + 4 * DAY_MS }],
    ['a day, cutting connections at both ends', { from: T0 + DAY_MS / 2 + 17 * MINUTE + 5_000, to: T0 + (3 * DAY_MS) / 2 + 3 * MINUTE }],
    ['an hour inside the rolled-up part, starting mid-hour', { from: T0 + 10 * HOUR_MS + 20 * MINUTE, to: T0 + 11 * HOUR_MS + 20 * MINUTE }],
    ['ten minutes in the minute part', { from: T0 + 2 * DAY_MS + 3 * HOUR_MS + 1_000, to: T0 + 2 * DAY_MS + 3 * HOUR_MS + 10 * MINUTE }],
    ['before anything', { from: T0 - 2 * HOUR_MS, to: T0 - HOUR_MS }],
  ];

  for (const [name, window] of windows) {
    it(`answers ${name} as the old query did`, () => {
      const expected = oldAnswer(db, window);
      const { connections, total, truncated } = queryWindow(db, window, { limit: 10_000 });
      expect(newAnswer(connections)).toEqual(expected);
      expect(total).toBe(expected.size);
      expect(truncated).toBe(false);
      // Newest first.
      expect(connections.map((c) => c.lastSeen)).toEqual(connections.map((c) => c.lastSeen).sort((a, b) => b - a));
    });
  }

  it('a cut answer keeps the newest and counts all of them', () => {
    const window = windows[1]?.[1] ?? { from: 0, to: 0 };
    const expected = oldAnswer(db, window);
    expect(expected.size).toBeGreaterThan(60);
    const all = queryWindow(db, window, { limit: 10_000 }).connections;
    const cut = queryWindow(db, window, { limit: 25 });
    expect(cut.truncated).toBe(true);
    expect(cut.total).toBe(expected.size);
    expect(cut.connections.map((c) => c.id)).toEqual(all.slice(0, 25).map((c) => c.id));
    const filtered = queryWindow(db, window, { limit: 3, process: 'curl' });
    expect(filtered.total).toBe(expected.size);
    expect(queryWindow(db, window, { limit: 3, process: 'nothing-by-this-name' })).toEqual({ connections: [], total: 0, truncated: false });
  });

  it('counts the quiet open connections a window holds', () => {
    // c3 opened near T0 and never closed: every later window holds it.
    const late = { from: T0 + 2 * DAY_MS + 20 * HOUR_MS, to: T0 + 2 * DAY_MS + 21 * HOUR_MS };
    const answer = queryWindow(db, late, { limit: 10_000 }).connections;
    expect(answer.find((c) => c.id === 'c3')).toMatchObject({ event: 'update', lastSeen: expect.any(Number) });
    expect(answer.find((c) => c.id === 'c3')?.lastSeen).toBeLessThan(late.from);
    expect(queryWindow(db, late, { limit: 1 }).total).toBe(oldAnswer(db, late).size);
  });
});
