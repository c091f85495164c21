// One human line per connection event for `watch` without --json. Names come from the network
// (DNS answers) or from other processes (comm, cmdline): control characters are replaced so a
// hostile name cannot move the cursor or recolour the terminal.

import type { ConnectionEvent, HelloMessage, StatsMessage } from '../shared/contract.js';

// C0/C1 controls (terminal escapes) and bidi overrides (which can visually reorder a line).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '?');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function clock(ts: number): string {
  return new Date(ts).toTimeString().slice(0, 8);
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function formatEvent(event: ConnectionEvent): string {
  const who = event.process ? `${printable(event.process.name)}[${event.process.pid}]` : '?';
  const arrow = event.direction === 'outbound' ? '->' : '<-';
  const remote = event.remote;
  const host = remote.host !== null ? ` ${printable(remote.host)}` : '';
  const place = remote.geo
    ? ` (${remote.geo.city !== null ? `${printable(remote.geo.city)}, ` : ''}${printable(remote.geo.country)})`
    : ` (${remote.scope})`;
  const asn = remote.asn ? ` AS${remote.asn.number} ${printable(remote.asn.org)}` : '';
  const bytes = event.event === 'open' ? '' : `  up ${formatBytes(event.txBytes)} down ${formatBytes(event.rxBytes)}`;
  return `${clock(event.ts)} ${event.event.padEnd(6)} ${event.proto} ${who} ${endpoint(event.local.ip, event.local.port)} ${arrow} ${endpoint(remote.ip, remote.port)}${host}${place}${asn}${bytes}`;
}

export function formatHello(hello: HelloMessage): string {
  const lines = [`snitchmap: capture ${hello.capture === 'ebpf' ? 'eBPF' : '/proc (not root)'}`];
  for (const limitation of hello.limitations ?? []) lines.push(`  - ${limitation}`);
  if (hello.geoip) lines.push(`  locations: ${hello.geoip.database} (${hello.geoip.built}); ${hello.geoip.attribution}`);
  return lines.join('\n');
}

export function formatStats(stats: StatsMessage): string {
  return `${clock(stats.ts)} stats  ${stats.connections} connections, ${stats.eventsLost} events lost, ${stats.flowsEvicted} flows evicted, ${stats.unattributed} unattributed`;
}
