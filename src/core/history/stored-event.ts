// The `event` column: a connection's latest contract event without its keys. A JSON array in the
// contract's field order is ~40 % smaller than the object (~360 instead of ~600 bytes), and the row
// INSERT with its page and WAL writes is most of the recorder's cost (bench/RESULTS.md, History).
// The process stays an object: it has optional parts (parents, cgroup, app, netns). An event with a
// field this codec does not know (a later additive field) is stored as the whole object, so nothing
// is ever dropped; text starting with '{' is read as such.

import type { ConnectionEvent } from '../../shared/contract.js';

const FORMAT = 1;
type Row = [
  typeof FORMAT,
  ConnectionEvent['event'],
  string,
  number,
  ConnectionEvent['proto'],
  ConnectionEvent['direction'],
  ConnectionEvent['family'],
  string,
  number,
  string,
  number,
  string | null,
  ConnectionEvent['remote']['scope'],
  [string, string | null, number, number] | null,
  [number, string] | null,
  ConnectionEvent['process'],
  number,
  number,
  number,
  number,
  string | null,
];

// Fields per object this codec writes; more means a field it does not know.
const count = (value: object): number => Object.keys(value).length;
function known(e: ConnectionEvent): boolean {
  const { remote } = e;
  return (
    count(e) === (e.instance === undefined ? 14 : 15) &&
    count(e.local) === 2 &&
    count(remote) === 6 &&
    (remote.geo === null || count(remote.geo) === 4) &&
    (remote.asn === null || count(remote.asn) === 2)
  );
}

export function encodeEvent(e: ConnectionEvent): string {
  if (!known(e)) return JSON.stringify(e);
  const { local, remote } = e;
  const { geo, asn } = remote;
  const row: Row = [
    FORMAT, e.event, e.id, e.ts, e.proto, e.direction, e.family, local.ip, local.port, remote.ip, remote.port, remote.host, remote.scope,
    geo === null ? null : [geo.country, geo.city, geo.lat, geo.lon], asn === null ? null : [asn.number, asn.org],
    e.process, e.txBytes, e.rxBytes, e.txPackets, e.rxPackets, e.instance ?? null,
  ];
  return JSON.stringify(row);
}

export class StoredEventError extends Error {
  override name = 'StoredEventError';
}

export function decodeEvent(text: string): ConnectionEvent {
  if (text.startsWith('{')) return JSON.parse(text) as ConnectionEvent;
  const r = JSON.parse(text) as Row;
  if (!Array.isArray(r) || r[0] !== FORMAT || r.length !== 21) throw new StoredEventError(`unknown stored event format ${String(Array.isArray(r) ? r[0] : typeof r)}`);
  const geo = r[13];
  const asn = r[14];
  const event: ConnectionEvent = {
    type: 'connection', event: r[1], id: r[2], ts: r[3], proto: r[4], direction: r[5], family: r[6],
    local: { ip: r[7], port: r[8] },
    remote: { ip: r[9], port: r[10], host: r[11], scope: r[12], geo: geo === null ? null : { country: geo[0], city: geo[1], lat: geo[2], lon: geo[3] }, asn: asn === null ? null : { number: asn[0], org: asn[1] } },
    process: r[15], txBytes: r[16], rxBytes: r[17], txPackets: r[18], rxPackets: r[19],
  };
  if (r[20] !== null) event.instance = r[20];
  return event;
}
