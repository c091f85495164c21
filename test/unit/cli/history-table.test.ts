// The human table of `snitchmap history`: totals per process and country, names made printable.
import { describe, expect, it } from 'vitest';
import { formatHistoryTable } from '../../../src/cli/history-table.js';
import type { HistoryConnection } from '../../../src/shared/history.js';
import { connection } from '../core/history/fake-engine.js';

const T0 = Date.UTC(2026, 0, 10, 12);

function past(id: string, name: string, host: string, country: string, tx: number, rx: number, fresh = false): HistoryConnection {
  const base = connection({ id, ts: T0, event: 'close', process: { pid: 7, name, exe: null, cmdline: null, uid: 0, user: null } });
  return { ...base, remote: { ...base.remote, host, geo: { country, city: null, lat: 0, lon: 0 } }, firstSeen: T0, lastSeen: T0 + 1000, windowTxBytes: tx, windowRxBytes: rx, newHost: fresh, newCountry: false };
}

describe('history table', () => {
  it('lists connections, then totals per process and per country, biggest first', () => {
    const text = formatHistoryTable([past('a', 'curl', 'a.test', 'FR', 100, 2000, true), past('b', 'curl', 'b.test', 'JP', 50, 50), past('c', 'ssh', 'c.test', 'FR', 5000, 5000)], T0 - 1000, T0 + 5000);
    expect(text).toMatch(/^3 connections active from /);
    expect(text).toContain('curl[7] -> 203.0.113.7:443 a.test (FR)  up 100 B down 2.0 kB  new');
    const lines = text.split('\n');
    const processes = lines.slice(lines.findIndex((l) => l.startsWith('process')) + 1, lines.findIndex((l) => l.startsWith('country')) - 1);
    expect(processes.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['ssh', '1'], ['curl', '2']]);
    expect(lines.find((l) => l.startsWith('FR'))).toMatch(/^FR\s+2\s+5\.1 kB\s+7\.0 kB$/);
    expect(formatHistoryTable([], T0, T0)).toMatch(/^0 connections active from .*\n$/);
  });

  it('never prints control characters from names', () => {
    const text = formatHistoryTable([past('x', 'ev\u001b[2Jil', 'bad\u0007\nhost', 'F\u0000', 1, 1)], T0, T0);
    // eslint-disable-next-line no-control-regex -- what must not be there
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f]/);
    expect(text).toContain('ev?[2Jil');
  });
});
