// One human line per connection event for `watch` without --json. Names come from the network
// (DNS answers) or from other processes (comm, cmdline): control characters are replaced so a
// hostile name cannot move the cursor or recolour the terminal.

import { neutralizeBidi } from '../shared/bidi.js';
import type { ConnectionEvent, HelloMessage, StatsMessage } from '../shared/contract.js';

// C0/C1 controls (terminal escapes, U+0085 NEL) and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Controls and bidi formatting characters (shared/bidi.ts) become '?'. */
export function printable(text: string): string {
  return neutralizeBidi(text.replace(UNPRINTABLE, '?'), '?');
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

/** The app after the process, when it says more than the process name: `<Firefox Web Browser>`. */
function appSuffix(process: NonNullable<ConnectionEvent['process']>): string {
  const app = process.app;
  if (app === undefined) return '';
  const label = app.name ?? (app.kind === 'container' ? `container ${app.id}` : app.id);
  return label === process.name ? '' : ` <${printable(label)}>`;
}

export function formatEvent(event: ConnectionEvent): string {
  const who = event.process ? `${printable(event.process.name)}[${event.process.pid}]${appSuffix(event.process)}` : '?';
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
  for (const limitation of hello.limitations ?? []) lines.push(`  - ${printable(limitation)}`);
  // The database type and build come from the file's own metadata.
  if (hello.geoip) lines.push(`  locations: ${printable(hello.geoip.database)} (${printable(hello.geoip.built)}); ${printable(hello.geoip.attribution)}`);
  return lines.join('\n');
}

export function formatStats(stats: StatsMessage): string {
  return `${clock(stats.ts)} stats  ${stats.connections} connections, ${stats.eventsLost} events lost, ${stats.flowsEvicted} flows evicted, ${stats.unattributed} unattributed`;
}
