// Pruning finds old buckets through their connections (no index on the buckets' time): a prune that
// starts from the previous one's mark still rolls up the minutes that aged since, drops the old
// buckets of a connection still kept, and keeps every byte.

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openHistory } from '../../../../src/core/history/history.js';
import { DAY_MS, HOUR_MS, prune } from '../../../../src/core/history/retention.js';
import { connection, FakeEngine } from './fake-engine.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 4, 1, 0, 0, 0);
const LIMITS = { maxAgeMs: 3.5 * DAY_MS, maxBytes: 1024 ** 3, rollupAfterMs: DAY_MS };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sm-history-prune-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('rolls up and deletes from the previous mark on, keeping every byte until its age', () => {
  const file = join(dir, 'h.sqlite');
  let clock = T0;
  const history = openHistory({ file, now: () => clock, flushMs: 3_600_000, pruneEveryMs: 3_600_000 });
  const engine = new FakeEngine();
  history.attach(engine);
  // 'long' moves bytes in two minutes of each of four days; 'short' lives a few minutes on day 2.
  let tx = 0;
  for (let day = 0; day < 4; day++) {
    for (const minute of [5, 37]) {
      tx += 10;
      engine.send(connection({ id: 'long', ts: T0 + day * DAY_MS + minute * MINUTE, event: day + minute === 5 ? 'open' : 'update', txBytes: tx, rxBytes: tx * 2 }));
    }
  }
  engine.send(connection({ id: 'short', ts: T0 + DAY_MS + 3 * HOUR_MS + 2 * MINUTE, txBytes: 7, rxBytes: 1 }));
  engine.send(connection({ id: 'short', ts: T0 + DAY_MS + 3 * HOUR_MS + 4 * MINUTE, event: 'close', txBytes: 9, rxBytes: 3 }));
  clock = T0 + 4 * DAY_MS;
  history.flush();
  const db = new Database(file, { timeout: 5_000 });
  const buckets = (): Array<{ conn: number; t: number; tx: number }> => db.prepare('SELECT conn, t, tx FROM buckets ORDER BY conn, t').all() as Array<{ conn: number; t: number; tx: number }>;
  // With the first minutes kept in the connections' rows (recorder.ts).
  const sum = (): number => buckets().reduce((n, b) => n + b.tx, 0) + (db.prepare('SELECT sum(first_tx) FROM connections').pluck().get() as number);
  try {
    expect(sum()).toBe(tx + 9);
    // Day 1, 10:00: only day 0 is older than a day.
    const first = prune(db, LIMITS, T0 + DAY_MS + 10 * HOUR_MS);
    // Day 0's two minutes of 'long' become one hour bucket: the first (kept in its row) and one bucket row.
    expect(first.rolledUp).toBe(1);
    expect(db.prepare('SELECT first_tx FROM connections ORDER BY id').pluck().all()).toEqual([0, 7]);
    expect(sum()).toBe(tx + 9);
    // From that mark on: day 1's minutes of both connections and day 2's of 'long' age out.
    const second = prune(db, LIMITS, T0 + 3 * DAY_MS + 10 * HOUR_MS, first.mark);
    expect(second.rolledUp).toBe(5); // 'long': 2 + 2, 'short': its second minute (its first is in its row)
    expect(buckets().filter((b) => b.t < T0 + 2 * DAY_MS + 10 * HOUR_MS && b.t % HOUR_MS !== 0)).toEqual([]);
    expect(sum()).toBe(tx + 9);
    // Past the age limit: 'short' goes, and the old buckets of 'long' (still kept) with it.
    // Day 3's minutes age into an hour too.
    const third = prune(db, LIMITS, T0 + 4.5 * DAY_MS + 4 * HOUR_MS, second.mark);
    expect(third.connections).toBe(1);
    expect(third.rolledUp).toBe(2);
    expect(buckets().map((b) => b.t)).toEqual([T0 + 2 * DAY_MS, T0 + 3 * DAY_MS]);
    expect(sum()).toBe(40);
  } finally {
    db.close();
    history.close();
  }
});
