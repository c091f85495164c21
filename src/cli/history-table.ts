// The human form of `snitchmap history`: one line per connection (first seen, process, remote,
// place, bytes in the window, "new" when it was a first), then totals per process and per country.
// Names pass through printable(): they come from the network and from other processes.

import type { HistoryConnection } from '../shared/history.js';
import { formatBytes, printable } from './text-format.js';

interface Total {
  connections: number;
  tx: number;
  rx: number;
}

function stamp(ts: number): string {
  const date = new Date(ts);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function add(totals: Map<string, Total>, key: string, c: HistoryConnection): void {
  const total = totals.get(key) ?? { connections: 0, tx: 0, rx: 0 };
  total.connections++;
  total.tx += c.windowTxBytes;
  total.rx += c.windowRxBytes;
  totals.set(key, total);
}

function totalsTable(title: string, totals: Map<string, Total>): string[] {
  const rows = [...totals].sort((a, b) => b[1].tx + b[1].rx - (a[1].tx + a[1].rx) || a[0].localeCompare(b[0]));
  const width = Math.max(title.length, ...rows.map(([key]) => key.length));
  return [
    `${title.padEnd(width)}  connections         up       down`,
    ...rows.map(([key, t]) => `${key.padEnd(width)}  ${String(t.connections).padStart(11)}  ${formatBytes(t.tx).padStart(9)}  ${formatBytes(t.rx).padStart(9)}`),
  ];
}

function line(c: HistoryConnection): string {
  const who = c.process ? `${printable(c.process.name)}[${c.process.pid}]` : '?';
  const arrow = c.direction === 'outbound' ? '->' : '<-';
  const remote = c.remote.ip.includes(':') ? `[${c.remote.ip}]:${c.remote.port}` : `${c.remote.ip}:${c.remote.port}`;
  const host = c.remote.host !== null ? ` ${printable(c.remote.host)}` : '';
  const place = c.remote.geo ? ` (${c.remote.geo.city !== null ? `${printable(c.remote.geo.city)}, ` : ''}${printable(c.remote.geo.country)})` : ` (${c.remote.scope})`;
  const fresh = c.newHost || c.newCountry ? '  new' : '';
  return `${stamp(c.firstSeen)} ${c.proto} ${who} ${arrow} ${remote}${host}${place}  up ${formatBytes(c.windowTxBytes)} down ${formatBytes(c.windowRxBytes)}${fresh}`;
}

export function formatHistoryTable(connections: HistoryConnection[], from: number, to: number): string {
  const header = `${connections.length} connection${connections.length === 1 ? '' : 's'} active from ${stamp(from)} to ${stamp(to)}`;
  if (connections.length === 0) return `${header}\n`;
  const byProcess = new Map<string, Total>();
  const byCountry = new Map<string, Total>();
  for (const c of connections) {
    add(byProcess, c.process ? printable(c.process.name) : '(unknown)', c);
    add(byCountry, c.remote.geo ? printable(c.remote.geo.country) : `(${c.remote.scope})`, c);
  }
  return [header, '', ...connections.map(line), '', ...totalsTable('process', byProcess), '', ...totalsTable('country', byCountry), ''].join('\n');
}
