// Writes what the engine reports into the history: subscribes to engine.onMessage, keeps the
// latest event of each connection and its byte deltas per minute in memory, and commits them in
// one transaction at most every second (kill -9 loses at most that second). Runs as the user,
// in the engine's process; the root helper never touches the history.

import type { Database } from 'better-sqlite3';
import type { ConnectionEvent } from '../../shared/contract.js';
import type { Engine } from '../engine-types.js';
import { encodeEvent } from './stored-event.js';

export const MINUTE_MS = 60_000;

export interface FirstSeen {
  kind: 'host' | 'country';
  process: string;
  target: string;
  event: ConnectionEvent;
}

export interface RecorderOptions {
  now?: () => number;
  flushMs?: number;
  onWarning?: (message: string) => void;
  /** A process reached a host (or country) the history never saw it reach; called once per pair. */
  onFirstSeen?: (first: FirstSeen) => void;
}

interface Held {
  row: number;
  paired: boolean;
  /** Start of the minute of its first event: bytes in that minute live in its row (first_tx/first_rx). */
  firstMinute: number;
}

interface Delta {
  id: string;
  t: number;
  tx: number;
  rx: number;
}

interface Pending {
  event: ConnectionEvent;
  firstTs: number;
  /** Bytes of this batch in the connection's first minute: written with its row, not as a bucket. */
  firstTx: number;
  firstRx: number;
}

const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

const targetOf = (event: ConnectionEvent): string => event.remote.host ?? event.remote.ip;

function statements(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO connections (run, first_seen, last_seen, open, process, country, host, tx_bytes, rx_bytes, event, new_host, new_country, first_tx, first_rx)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    update: db.prepare(
      `UPDATE connections SET last_seen = ?, open = ?, process = ?, country = ?, host = ?, tx_bytes = ?, rx_bytes = ?, event = ?,
       new_host = max(new_host, ?), new_country = max(new_country, ?), first_tx = first_tx + ?, first_rx = first_rx + ? WHERE id = ?`,
    ),
    orphan: db.prepare('UPDATE connections SET open = 0, last_seen = ? WHERE id = ?'),
    pair: db.prepare('INSERT OR IGNORE INTO pairs (kind, process, target, first_seen) VALUES (?, ?, ?, ?)'),
    bucket: db.prepare(
      'INSERT INTO buckets (t, conn, tx, rx) VALUES (?, ?, ?, ?) ON CONFLICT (conn, t) DO UPDATE SET tx = tx + excluded.tx, rx = rx + excluded.rx',
    ),
    traffic: db.prepare(
      `INSERT INTO traffic (t, tx, rx, opened) VALUES (?, ?, ?, ?)
       ON CONFLICT (t) DO UPDATE SET tx = tx + excluded.tx, rx = rx + excluded.rx, opened = opened + excluded.opened`,
    ),
    alive: db.prepare('UPDATE runs SET alive = ? WHERE id = ?'),
  };
}

export class Recorder {
  private readonly now: () => number;
  private readonly held = new Map<string, Held>();
  private pending = new Map<string, Pending>();
  /** Last counters seen per engine id, to turn cumulative counters into per-minute deltas. */
  private readonly counters = new Map<string, { tx: number; rx: number }>();
  /** key `${id} ${minute}`. */
  private deltas = new Map<string, Delta>();
  private orphans: number[] = [];
  /**
   * Pairs known to be in the table: most connections repeat a pair, and skipping the INSERT OR
   * IGNORE for them is a third of the write path's cost (bench/RESULTS.md). Bounded; a miss only
   * costs the INSERT.
   */
  private readonly knownPairs = new Set<string>();
  private readonly sql: ReturnType<typeof statements>;
  private readonly run: number;
  private readonly timer: NodeJS.Timeout;
  private detachers: Array<() => void> = [];
  /** Events that could not be written (disk full, I/O error), cumulative. */
  dropped = 0;

  constructor(
    private readonly db: Database,
    private readonly options: RecorderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sql = statements(db);
    const started = this.now();
    this.run = db.transaction(() => {
      // Connections a crashed run left open end where that run was last alive.
      db.prepare('UPDATE connections SET open = 0, last_seen = max(last_seen, coalesce((SELECT alive FROM runs WHERE runs.id = connections.run), last_seen)) WHERE open = 1').run();
      return Number(db.prepare('INSERT INTO runs (started, alive) VALUES (?, ?)').run(started, started).lastInsertRowid);
    })();
    this.timer = setInterval(() => this.flush(), options.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Records everything `engine` reports from now on; returns the detach function. */
  attach(engine: Pick<Engine, 'onMessage' | 'onCleared'>): () => void {
    const offMessage = engine.onMessage((message) => {
      if (message.type === 'connection') this.take(message);
    });
    // clear() gives live connections new ids without closing the old ones: end those here.
    const offCleared = engine.onCleared(() => this.forgetLive());
    const detach = (): void => {
      offMessage();
      offCleared();
      this.forgetLive();
    };
    this.detachers.push(detach);
    return detach;
  }

  take(event: ConnectionEvent): void {
    const before = this.pending.get(event.id);
    const pending: Pending = { event, firstTs: before?.firstTs ?? event.ts, firstTx: before?.firstTx ?? 0, firstRx: before?.firstRx ?? 0 };
    this.pending.set(event.id, pending);
    const last = this.counters.get(event.id) ?? { tx: 0, rx: 0 };
    const tx = Math.max(0, event.txBytes - last.tx);
    const rx = Math.max(0, event.rxBytes - last.rx);
    if (event.event === 'close') this.counters.delete(event.id);
    else this.counters.set(event.id, { tx: event.txBytes, rx: event.rxBytes });
    if (tx + rx === 0) return;
    const t = minuteOf(event.ts);
    // Most connections move all their bytes in their first minute: those bytes ride in the row the
    // flush writes anyway instead of a bucket row each (a quarter of the write path's SQLite time,
    // bench/RESULTS.md). Queries and the pruner count them as that minute's bucket.
    if (t === (this.held.get(event.id)?.firstMinute ?? minuteOf(pending.firstTs))) {
      pending.firstTx += tx;
      pending.firstRx += rx;
      return;
    }
    const key = `${event.id} ${t}`;
    const delta = this.deltas.get(key);
    if (delta) {
      delta.tx += tx;
      delta.rx += rx;
    } else {
      this.deltas.set(key, { id: event.id, t, tx, rx });
    }
  }

  private forgetLive(): void {
    this.flush();
    for (const held of this.held.values()) this.orphans.push(held.row);
    this.held.clear();
    this.counters.clear();
    this.flush();
  }

  /** Commits what is pending in one transaction. */
  flush(): void {
    if (this.pending.size === 0 && this.orphans.length === 0) return;
    const pending = this.pending;
    const orphans = this.orphans;
    const deltas = this.deltas;
    this.pending = new Map();
    this.deltas = new Map();
    this.orphans = [];
    const firsts: FirstSeen[] = [];
    const inserted: string[] = [];
    try {
      this.db.transaction(() => {
        for (const [id, item] of pending) if (this.write(id, item, firsts)) inserted.push(id);
        // The timeline's per-minute totals: one upsert per minute of the batch, not per connection.
        const minutes = new Map<number, { tx: number; rx: number; opened: number }>();
        const minute = (t: number): { tx: number; rx: number; opened: number } => {
          let total = minutes.get(t);
          if (total === undefined) minutes.set(t, (total = { tx: 0, rx: 0, opened: 0 }));
          return total;
        };
        for (const id of inserted) minute(minuteOf(pending.get(id)?.firstTs ?? 0)).opened++;
        for (const [id, item] of pending) {
          if (item.firstTx + item.firstRx === 0) continue;
          const total = minute(this.held.get(id)?.firstMinute ?? minuteOf(item.firstTs));
          total.tx += item.firstTx;
          total.rx += item.firstRx;
        }
        for (const delta of deltas.values()) {
          const row = this.held.get(delta.id)?.row;
          if (row === undefined) continue;
          this.sql.bucket.run(delta.t, row, delta.tx, delta.rx);
          const total = minute(delta.t);
          total.tx += delta.tx;
          total.rx += delta.rx;
        }
        for (const [t, total] of minutes) this.sql.traffic.run(t, total.tx, total.rx, total.opened);
        const at = this.now();
        for (const row of orphans) this.sql.orphan.run(at, row);
        this.sql.alive.run(at, this.run);
      })();
    } catch (error) {
      this.dropped += pending.size;
      this.options.onWarning?.(`history: ${pending.size} connection events not written: ${(error as Error).message}`);
      // Their rows (and pairs) were rolled back: a later event of theirs inserts them again.
      for (const id of inserted) this.held.delete(id);
      this.knownPairs.clear();
      firsts.length = 0;
    }
    for (const [id, item] of pending) if (item.event.event === 'close') this.held.delete(id);
    for (const first of firsts) this.options.onFirstSeen?.(first);
  }

  /** One connection's latest event; returns true when it inserted the connection's row. */
  private write(id: string, { event, firstTs, firstTx, firstRx }: Pending, firsts: FirstSeen[]): boolean {
    let held = this.held.get(id);
    const inserted = held === undefined;
    const open = event.event === 'close' ? 0 : 1;
    const { host, geo } = event.remote;
    const country = geo?.country ?? null;
    const json = encodeEvent(event);
    const isNew = { host: 0, country: 0 };
    if (held === undefined || !held.paired) {
      const name = event.process?.name;
      if (name !== undefined) {
        if (this.firstPair('host', name, targetOf(event), event.ts)) {
          isNew.host = 1;
          firsts.push({ kind: 'host', process: name, target: targetOf(event), event });
        }
        if (country !== null && this.firstPair('country', name, country, event.ts)) {
          isNew.country = 1;
          firsts.push({ kind: 'country', process: name, target: country, event });
        }
      }
    }
    const paired = event.process !== null;
    if (held === undefined) {
      const values = [this.run, firstTs, event.ts, open, event.process?.name ?? null, country, host, event.txBytes, event.rxBytes, json, isNew.host, isNew.country, firstTx, firstRx];
      const row = Number(this.sql.insert.run(...values).lastInsertRowid);
      held = { row, paired, firstMinute: minuteOf(firstTs) };
      this.held.set(id, held);
    } else {
      this.sql.update.run(event.ts, open, event.process?.name ?? null, country, host, event.txBytes, event.rxBytes, json, isNew.host, isNew.country, firstTx, firstRx, held.row);
      held.paired ||= paired;
    }
    return inserted;
  }

  /** True when (kind, process, target) was not in the table (and now is). */
  private firstPair(kind: 'host' | 'country', process: string, target: string, ts: number): boolean {
    const key = `${kind}\u0000${process}\u0000${target}`;
    if (this.knownPairs.has(key)) return false;
    if (this.knownPairs.size >= 100_000) this.knownPairs.clear();
    this.knownPairs.add(key);
    return this.sql.pair.run(kind, process, target, ts).changes === 1;
  }

  close(): void {
    for (const detach of this.detachers.splice(0)) detach();
    clearInterval(this.timer);
    this.flush();
  }
}
