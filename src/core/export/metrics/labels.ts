// Label values for the Prometheus series (docs/design.md "Metrics, OTLP and fleet"). Every label has
// a bounded set of values: a scrape target with unbounded label values grows Prometheus's memory
// and index without limit. Addresses and ports are never labels.

import type { ConnectionEvent, HelloMessage, ProcessInfo } from '../../../shared/contract.js';

/** Process label of a connection with no owner. */
export const UNKNOWN_PROCESS = 'unknown';
/** Process label of every process past the budget. */
export const OTHER_PROCESS = 'other';
/** Country label when there is no location or the database said ZZ (ISO 3166 "unknown"). */
export const UNKNOWN_COUNTRY = 'unknown';

// Label values are bytes in Prometheus's index; an app name from a .desktop file can be long.
const MAX_LABEL_CHARS = 64;

/**
 * The app name when one is known, else the kernel comm. `app` is read defensively: the contract's
 * ProcessInfo may or may not carry it (an optional `{kind, id, name?}` added in parallel).
 */
export function processName(process: ProcessInfo | null): string {
  if (process === null) return UNKNOWN_PROCESS;
  const app = (process as { app?: unknown }).app;
  const appName = typeof app === 'object' && app !== null ? (app as { name?: unknown }).name : undefined;
  const name = typeof appName === 'string' && appName.trim() !== '' ? appName.trim() : process.name;
  return cleanLabel(name) || UNKNOWN_PROCESS;
}

function cleanLabel(text: string): string {
  // Control characters would survive escaping but make dashboards unreadable.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_LABEL_CHARS);
}

/**
 * `snitchmap_home_info`'s labels. Coordinates keep 4 decimals (about 10 m), so the value only
 * changes when home does; an engine that does not say where its home came from counts as `set`.
 */
export function homeLabels(hello: HelloMessage): { lat: string; lon: string; label: string; source: string } {
  const { lat, lon, label } = hello.home;
  return { lat: String(Number(lat.toFixed(4))), lon: String(Number(lon.toFixed(4))), label: cleanLabel(label), source: hello.homeSource ?? 'set' };
}

/** ISO 3166-1 alpha-2 code, or `unknown` (no location, ZZ, or anything that is not two letters). */
export function countryLabel(event: ConnectionEvent): string {
  const code = event.remote.geo?.country;
  return code !== undefined && /^[A-Z]{2}$/.test(code) && code !== 'ZZ' ? code : UNKNOWN_COUNTRY;
}

/**
 * The first `max` distinct process values keep their name; later ones become `other`. First come,
 * first kept: a label never changes meaning during a run (renaming series would break rate()).
 */
export class ProcessBudget {
  private readonly kept = new Set<string>();

  constructor(readonly max: number) {}

  label(process: ProcessInfo | null): string {
    const name = processName(process);
    if (this.kept.has(name)) return name;
    if (this.kept.size >= this.max) return OTHER_PROCESS;
    this.kept.add(name);
    return name;
  }

  /** Distinct values handed out so far, `other` excluded. */
  size(): number {
    return this.kept.size;
  }
}
