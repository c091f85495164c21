// One connection as the UI holds it: the latest contract event plus what the UI derives over time
// (first/last seen, rates between updates, whether bytes moved in the latest batch).

import type { ConnectionEvent } from '../../../shared/contract.js';
import { zoneOf, type ZoneId } from './zones.js';

export interface ConnectionView {
  event: ConnectionEvent;
  /** ts of the first event the UI saw for this id (the open, or the snapshot entry). */
  firstSeen: number;
  /** ts of the latest event. */
  lastSeen: number;
  /** ts of the close event, or null while open. */
  closedAt: number | null;
  /** Bytes per second over the last interval between two events of this id. */
  txRate: number;
  rxRate: number;
  /** Batch sequence number in which bytes last moved (compare with the store's `batch`). */
  movedInBatch: number;
  /** Derived once per event (not per render: the list and map regroup 20,000 of these 4 times a second). */
  processKey: string;
  host: string;
  zone: ZoneId | null;
  locationKey: string;
}

export type ConnectionKeys = Pick<ConnectionView, 'processKey' | 'host' | 'zone' | 'locationKey'>;

/** Coordinates are rounded to 0.01° (about 1 km): finer distinctions are noise in GeoIP data. */
export function connectionKeys(event: ConnectionEvent): ConnectionKeys {
  const zone = zoneOf(event);
  const geo = event.remote.geo;
  return {
    processKey: processKey(event),
    host: hostLabel(event),
    zone,
    locationKey: zone !== null || geo === null ? `zone:${zone ?? 'unknown'}` : `${geo.lat.toFixed(2)},${geo.lon.toFixed(2)}`,
  };
}

/**
 * Key of the list group a connection belongs to: its application (issue 14: the list groups by app,
 * its processes listed under it) and user, else (an engine without apps) its process; "unattributed"
 * when the capture could not tell.
 */
export function processKey(event: ConnectionEvent): string {
  const p = event.process;
  // Fleet entries have no pid: a process is one per host.
  if (event.instance !== undefined) return `${event.instance}:${p?.name ?? 'unattributed'}`;
  if (p === null) return 'unattributed';
  return p.app === undefined ? `${p.pid}:${p.name}` : `app:${p.app.kind}:${p.app.id}:${p.uid}`;
}

/** The host a connection talks to, as people name it: the looked-up name, else the address. */
export function hostLabel(event: ConnectionEvent): string {
  return event.remote.host ?? event.remote.ip;
}

export function totalBytes(view: ConnectionView): number {
  return view.event.txBytes + view.event.rxBytes;
}
