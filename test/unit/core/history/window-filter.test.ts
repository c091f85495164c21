// A cut window filtered by process and country: the answer is the newest *matching* connections and
// the matching total, so a process seen only among the older rows (past the limit) is still found.
// This is what the page asks when its Process or Country filter is set on a past window.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHistoryApi, TEST_LIMIT_ENV, UI_LIMIT } from '../../../../src/core/history/api.js';
import { openHistory } from '../../../../src/core/history/history.js';
import type { ConnectionEvent } from '../../../../src/shared/contract.js';
import { connection, FakeEngine } from './fake-engine.js';

const T0 = Date.UTC(2026, 3, 1);
const SECOND = 1_000;
const dir = mkdtempSync(join(tmpdir(), 'sm-history-filter-'));
const history = openHistory({ file: join(dir, 'h.sqlite'), now: () => T0 + 3_600_000, flushMs: 3_600_000 });
afterAll(() => {
  history.close();
  rmSync(dir, { recursive: true, force: true });
});

const proc = (name: string): ConnectionEvent['process'] => ({ pid: 7, name, exe: null, cmdline: null, uid: 1000, user: 'me' });
const place = (country: string): ConnectionEvent['remote'] => ({ ip: '203.0.113.7', port: 443, host: null, scope: 'internet', geo: { country, city: null, lat: 1, lon: 2 }, asn: null });

// Oldest first: 5 of "oldtool" (3 in DE, 2 in JP), then 20 of "newtool" (every fourth in DE).
const engine = new FakeEngine();
history.attach(engine);
const seeded: Array<{ id: string; name: string; country: string }> = [];
for (let i = 0; i < 25; i++) {
  const name = i < 5 ? 'oldtool' : 'newtool';
  const country = i < 5 ? (i < 3 ? 'DE' : 'JP') : i % 4 === 0 ? 'DE' : 'FR';
  const id = `c${i}`;
  seeded.push({ id, name, country });
  engine.send(connection({ id, ts: T0 + i * SECOND, process: proc(name), remote: place(country) }));
  engine.send(connection({ id, ts: T0 + i * SECOND + 500, event: 'close', txBytes: 10, process: proc(name), remote: place(country) }));
}
history.flush();
const window = { from: T0 - SECOND, to: T0 + 60 * SECOND };
const newestFirst = (keep: (c: (typeof seeded)[number]) => boolean): string[] => seeded.filter(keep).map((c) => c.id).reverse();

describe('a cut window with filters', () => {
  it('without a filter the limit keeps only the newest: the older process is not in the answer', () => {
    const answer = history.query(window, { limit: 10 });
    expect(answer).toMatchObject({ total: 25, truncated: true });
    expect(answer.connections.map((c) => c.id)).toEqual(newestFirst(() => true).slice(0, 10));
    expect(answer.connections.some((c) => c.process?.name === 'oldtool')).toBe(false);
  });

  it('a process filter answers its newest connections and its own total', () => {
    const answer = history.query(window, { limit: 10, process: 'oldtool' });
    expect(answer).toMatchObject({ total: 5, truncated: false });
    expect(answer.connections.map((c) => c.id)).toEqual(newestFirst((c) => c.name === 'oldtool'));
    const cut = history.query(window, { limit: 2, process: 'oldtool' });
    expect(cut).toMatchObject({ total: 5, truncated: true });
    expect(cut.connections.map((c) => c.id)).toEqual(['c4', 'c3']);
  });

  it('a country filter, alone and with a process, counts only what matches', () => {
    const de = history.query(window, { limit: 3, country: 'de' });
    expect(de).toMatchObject({ total: 3 + 5, truncated: true });
    expect(de.connections.map((c) => c.id)).toEqual(newestFirst((c) => c.country === 'DE').slice(0, 3));
    const both = history.query(window, { limit: 1, process: 'oldtool', country: 'DE' });
    expect(both).toMatchObject({ total: 3, truncated: true });
    expect(both.connections.map((c) => c.id)).toEqual(['c2']);
    expect(history.query(window, { limit: 5, process: 'newtool', country: 'JP' })).toMatchObject({ connections: [], total: 0, truncated: false });
  });

  it('the page API passes the filters through and bounds the limit (test bound from the environment)', async () => {
    const before = process.env[TEST_LIMIT_ENV];
    try {
      process.env[TEST_LIMIT_ENV] = '4';
      const small = createHistoryApi(() => history);
      const answer = await small.getHistory(window, { process: 'oldtool', limit: 100 });
      expect(answer).toMatchObject({ total: 5, truncated: true });
      expect(answer.connections.map((c) => c.id)).toEqual(['c4', 'c3', 'c2', 'c1']);
      // Out of range: the UI bound stands.
      process.env[TEST_LIMIT_ENV] = String(UI_LIMIT + 1);
      expect((await createHistoryApi(() => history).getHistory(window)).connections).toHaveLength(25);
    } finally {
      if (before === undefined) delete process.env[TEST_LIMIT_ENV];
      else process.env[TEST_LIMIT_ENV] = before;
    }
  });
});
