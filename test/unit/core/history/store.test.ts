// The history store against real SQLite files in a temp dir: what the engine reports comes back
// from window queries with its bytes in the window; first-seen pairs; a second writer is refused;
// corrupt and foreign files are moved aside intact; retention prunes by age and by size.

import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHistory, type History } from '../../../../src/core/history/history.js';
import { defaultHistoryPath } from '../../../../src/core/history/paths.js';
import { openHistoryReader } from '../../../../src/core/history/reader.js';
import { DAY_MS, HOUR_MS } from '../../../../src/core/history/retention.js';
import { connection, FakeEngine } from './fake-engine.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
let dir: string;
let clock: number;
const opened: History[] = [];
const open = (file: string) => {
  const warnings: string[] = [];
  const history = openHistory({ file, now: () => clock, onWarning: (m) => warnings.push(m), flushMs: 60_000 });
  opened.push(history);
  return { history, warnings };
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sm-history-'));
  clock = T0;
});
afterEach(() => {
  for (const history of opened.splice(0)) history.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('history store', () => {
  it('keeps connections with their last state, totals and bytes per window', () => {
    const { history } = open(join(dir, 'h.sqlite'));
    const engine = new FakeEngine();
    history.attach(engine);
    engine.send(connection({ id: 'a', ts: T0 }));
    engine.send(connection({ id: 'a', ts: T0 + 1000, event: 'update', txBytes: 100, rxBytes: 1000 }));
    history.flush();
    engine.send(connection({ id: 'a', ts: T0 + 5 * 60_000, event: 'update', txBytes: 300, rxBytes: 5000 }));
    engine.send(connection({ id: 'a', ts: T0 + 10 * 60_000, event: 'close', txBytes: 350, rxBytes: 6000 }));
    history.flush();

    const all = history.query({ from: T0 - HOUR_MS, to: T0 + HOUR_MS });
    expect(all.connections).toHaveLength(1);
    expect(all.connections[0]).toMatchObject({ id: 'a', event: 'close', txBytes: 350, rxBytes: 6000, windowTxBytes: 350, windowRxBytes: 6000, firstSeen: T0, lastSeen: T0 + 10 * 60_000, process: { name: 'curl' } });
    // A window covering only the first minutes: the state then (still open) and the bytes in it.
    const early = history.query({ from: T0, to: T0 + 2 * 60_000 }).connections[0];
    expect(early).toMatchObject({ event: 'open', txBytes: 100, rxBytes: 1000, windowTxBytes: 100, windowRxBytes: 1000 });
    const late = history.query({ from: T0 + 4 * 60_000, to: T0 + 6 * 60_000 }).connections[0];
    expect(late).toMatchObject({ event: 'update', windowTxBytes: 200, windowRxBytes: 4000 });
    expect(history.query({ from: T0 - 2 * HOUR_MS, to: T0 - HOUR_MS }).connections).toEqual([]);
    expect(history.query({ from: T0 + 11 * 60_000, to: T0 + HOUR_MS }).connections).toEqual([]);
  });

  it('filters by process and country and draws the timeline', () => {
    const { history } = open(join(dir, 'h.sqlite'));
    const engine = new FakeEngine();
    history.attach(engine);
    engine.send(connection({ id: 'a', ts: T0, txBytes: 10, rxBytes: 20 }));
    engine.send(connection({ id: 'b', ts: T0 + HOUR_MS, txBytes: 1, rxBytes: 2, process: null, remote: { ip: '198.51.100.1', port: 80, host: null, scope: 'internet', geo: { country: 'JP', city: null, lat: 35, lon: 139 }, asn: null } }));
    history.flush();
    const window = { from: T0 - DAY_MS, to: T0 + DAY_MS };
    expect(history.query(window, { process: 'curl' }).connections.map((c) => c.id)).toEqual(['a']);
    expect(history.query(window, { country: 'jp' }).connections.map((c) => c.id)).toEqual(['b']);
    const timeline = history.timeline(T0 - HOUR_MS, T0 + 2 * HOUR_MS, HOUR_MS);
    expect(timeline.bins).toEqual([
      { t: T0, txBytes: 10, rxBytes: 20, opened: 1 },
      { t: T0 + HOUR_MS, txBytes: 1, rxBytes: 2, opened: 1 },
    ]);
    expect(timeline.oldest).toBe(T0);
  });

  it('marks and reports a process reaching a host or country for the first time, once', () => {
    const firsts: string[] = [];
    const history = openHistory({ file: join(dir, 'h.sqlite'), now: () => clock, flushMs: 60_000, onFirstSeen: (f) => firsts.push(`${f.kind}:${f.process}:${f.target}`) });
    opened.push(history);
    const engine = new FakeEngine();
    history.attach(engine);
    engine.send(connection({ id: 'a', ts: T0 }));
    engine.send(connection({ id: 'b', ts: T0 + 1, local: { ip: '10.0.0.2', port: 40001 } }));
    engine.send(connection({ id: 'c', ts: T0 + 2, process: null }));
    history.flush();
    engine.send(connection({ id: 'c', ts: T0 + 3, event: 'update', process: { pid: 7, name: 'wget', exe: null, cmdline: null, uid: 0, user: 'root' } }));
    history.flush();
    expect(firsts).toEqual(['host:curl:example.test', 'country:curl:FR', 'host:wget:example.test', 'country:wget:FR']);
    const byId = Object.fromEntries(history.query({ from: T0, to: T0 + 10 }).connections.map((c) => [c.id, [c.newHost, c.newCountry]]));
    expect(byId).toEqual({ a: [true, true], b: [false, false], c: [true, true] });
  });

  it('refuses a second writer on the same file with a clear notice, and the reader still reads', () => {
    const file = join(dir, 'h.sqlite');
    const { history } = open(file);
    const engine = new FakeEngine();
    history.attach(engine);
    engine.send(connection({ id: 'a', ts: T0 }));
    history.flush();
    const second = open(file);
    expect(second.history.enabled).toBe(false);
    expect(second.warnings.join('\n')).toMatch(/in use by another snitchmap/);
    expect(second.history.query({ from: 0, to: T0 * 2 }).notice).toMatch(/in use/);
    const reader = openHistoryReader(file);
    expect(reader.prepare('SELECT count(*) FROM connections').pluck().get()).toBe(1);
    reader.close();
  });

  it('moves a corrupt or foreign file aside with its bytes intact and starts anew', () => {
    for (const [name, content] of [
      ['junk', Buffer.from('this is not a database at all\n'.repeat(100))],
      ['foreign', null],
      ['torn', 'torn'],
    ] as const) {
      const file = join(dir, `${name}.sqlite`);
      if (name === 'foreign') {
        const other = new Database(file);
        other.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (\'keep me\')');
        other.close();
      } else if (name === 'torn') {
        const { history } = open(file);
        const engine = new FakeEngine();
        history.attach(engine);
        for (let i = 0; i < 2000; i++) engine.send(connection({ id: `x${i}`, ts: T0 + i }));
        history.close();
        const bytes = readFileSync(file);
        bytes.fill(0xa5, 4096, bytes.length); // pages past the header overwritten
        writeFileSync(file, bytes);
      } else {
        writeFileSync(file, content as Buffer);
      }
      const before = readFileSync(file);
      const { history, warnings } = open(file);
      expect(history.enabled, name).toBe(true);
      expect(history.notice, name).toMatch(/was unusable .* kept as /);
      const aside = /kept as (\S+) and/.exec(history.notice ?? '')?.[1] ?? '';
      expect(readFileSync(aside).equals(before), name).toBe(true);
      expect(warnings, name).toContain(history.notice);
      const engine = new FakeEngine();
      history.attach(engine);
      engine.send(connection({ id: 'fresh', ts: T0 }));
      expect(history.query({ from: 0, to: T0 * 2 }).connections.map((c) => c.id), name).toEqual(['fresh']);
      history.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('.broken-') && !f.endsWith('-wal') && !f.endsWith('-shm'))).toHaveLength(3);
  });

  it('prunes connections past the age limit and rolls old minutes up to hours', () => {
    const file = join(dir, 'h.sqlite');
    const history = openHistory({ file, now: () => clock, flushMs: 60_000, retention: { maxAgeMs: 2 * DAY_MS, rollupAfterMs: DAY_MS } });
    const engine = new FakeEngine();
    history.attach(engine);
    engine.send(connection({ id: 'old', ts: T0, txBytes: 5 }));
    engine.send(connection({ id: 'old', ts: T0 + 60_000, event: 'close', txBytes: 10 }));
    engine.send(connection({ id: 'mid', ts: T0 + DAY_MS + 60_000, txBytes: 1 }));
    engine.send(connection({ id: 'mid', ts: T0 + DAY_MS + 120_000, event: 'close', txBytes: 3 }));
    history.close();
    clock = T0 + 2 * DAY_MS + HOUR_MS * 2;
    const again = openHistory({ file, now: () => clock, flushMs: 60_000, retention: { maxAgeMs: 2 * DAY_MS, rollupAfterMs: DAY_MS } });
    opened.push(again);
    const left = again.query({ from: 0, to: clock });
    expect(left.connections.map((c) => [c.id, c.windowTxBytes])).toEqual([['mid', 3]]);
    const db = openHistoryReader(file);
    expect(db.prepare('SELECT t FROM buckets').pluck().all()).toEqual([T0 + DAY_MS]);
    db.close();
  });

  it('prunes the oldest connections when the file outgrows its size limit', () => {
    const file = join(dir, 'h.sqlite');
    const history = openHistory({ file, now: () => clock, flushMs: 60_000 });
    const engine = new FakeEngine();
    history.attach(engine);
    for (let i = 0; i < 5000; i++) {
      engine.send(connection({ id: `c${i}`, ts: T0 + i * 1000, txBytes: 100 }));
      engine.send(connection({ id: `c${i}`, ts: T0 + i * 1000 + 1, event: 'close', txBytes: 100 }));
    }
    history.close();
    const size = existsSync(file) ? readFileSync(file).length : 0;
    const again = openHistory({ file, now: () => clock, flushMs: 60_000, retention: { maxBytes: Math.floor(size / 2) } });
    opened.push(again);
    const left = again.query({ from: 0, to: T0 * 2 }).connections;
    expect(left.length).toBeGreaterThan(1000);
    expect(left.length).toBeLessThan(5000);
    // Oldest first out: what is left is the newest.
    expect(left.map((c) => c.id)).toContain('c4999');
    expect(left.map((c) => c.id)).not.toContain('c0');
  });

  it('refuses a directory or a FIFO as the history file without creating anything beside it', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const file of [dir, fifo]) {
      const { history, warnings } = open(file);
      expect(history.enabled).toBe(false);
      expect(warnings.join('\n')).toMatch(/is not a regular file/);
    }
    expect(readdirSync(dir)).toEqual(['fifo']);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('resolves the default path from XDG_STATE_HOME, then HOME', () => {
    expect(defaultHistoryPath({ XDG_STATE_HOME: '/s' })).toBe('/s/snitchmap/history.sqlite');
    expect(defaultHistoryPath({ XDG_STATE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/state/snitchmap/history.sqlite');
  });
});
