// The transport is typed, not trusted: a connection event missing the fields the UI indexes on is
// counted and skipped rather than allowed to break grouping or the map for everything else.

import type { ConnectionEvent } from '../../../shared/contract.js';

const EVENTS = new Set(['open', 'update', 'close']);

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isUsableEvent(value: unknown): value is ConnectionEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Record<keyof ConnectionEvent, unknown>>;
  const remote = e.remote as { ip?: unknown; port?: unknown; scope?: unknown; geo?: unknown } | null | undefined;
  const process = e.process as { pid?: unknown; name?: unknown } | null | undefined;
  const geo = remote?.geo as { lat?: unknown; lon?: unknown; country?: unknown } | null | undefined;
  return (
    typeof e.id === 'string' && EVENTS.has(e.event as string) && isFiniteNumber(e.ts) &&
    isFiniteNumber(e.txBytes) && isFiniteNumber(e.rxBytes) &&
    typeof remote === 'object' && remote !== null && typeof remote.ip === 'string' && isFiniteNumber(remote.port) &&
    typeof remote.scope === 'string' &&
    // Out-of-range or NaN coordinates are a location problem, not a broken event: zones.ts files them as unknown.
    (geo === null || geo === undefined || (typeof geo.lat === 'number' && typeof geo.lon === 'number' && typeof geo.country === 'string')) &&
    (process === null || (typeof process === 'object' && isFiniteNumber(process.pid) && typeof process.name === 'string'))
  );
}
