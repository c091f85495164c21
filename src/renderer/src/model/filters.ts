// Which connections the list and the map show. Every field narrows; null/empty means "any".

import type { Direction, Proto, Scope } from '../../../shared/contract.js';
import type { ConnectionView } from './connection-view.js';

/** "local" stands for every non-internet scope (lan, loopback, link-local, multicast). */
export type ScopeFilter = 'internet' | 'local' | 'unknown';

export interface Filters {
  /** Free text, case-insensitive, matched against names, addresses, places and organisations. */
  text: string;
  process: string | null;
  /** ISO 3166-1 alpha-2, or "--" for connections without a location. */
  country: string | null;
  proto: Proto | null;
  direction: Direction | null;
  scope: ScopeFilter | null;
  /** A location key (see locations.ts), set by clicking the map. */
  location: string | null;
  /** Fleet mode: the host (Prometheus `instance`) whose traffic to show. */
  host: string | null;
}

export const NO_FILTERS: Filters = {
  text: '',
  process: null,
  country: null,
  proto: null,
  direction: null,
  scope: null,
  location: null,
  host: null,
};

export const NO_COUNTRY = '--';

export function scopeClass(scope: Scope): ScopeFilter {
  if (scope === 'internet') return 'internet';
  if (scope === 'unknown') return 'unknown';
  return 'local';
}

function searchText(view: ConnectionView): string {
  const { event } = view;
  const p = event.process;
  const r = event.remote;
  return [
    p?.name, p?.exe, p?.user, p === null ? 'unattributed' : String(p.pid),
    view.host, r.ip, String(r.port), r.geo?.country, r.geo?.city, r.asn?.org,
    r.asn === null ? undefined : `AS${r.asn.number}`, event.proto, event.instance,
  ].filter((part): part is string => typeof part === 'string').join('\n').toLowerCase();
}

/** Builds the predicate once per filter change; `locationOf` maps a connection to its location key. */
export function connectionMatcher(
  filters: Filters,
  locationOf: (view: ConnectionView) => string,
): (view: ConnectionView) => boolean {
  const needle = filters.text.trim().toLowerCase();
  return (view) => {
    const { event } = view;
    if (filters.process !== null && view.processKey !== filters.process) return false;
    if (filters.country !== null && (event.remote.geo?.country ?? NO_COUNTRY) !== filters.country) return false;
    if (filters.proto !== null && event.proto !== filters.proto) return false;
    if (filters.direction !== null && event.direction !== filters.direction) return false;
    if (filters.scope !== null && scopeClass(event.remote.scope) !== filters.scope) return false;
    if (filters.location !== null && locationOf(view) !== filters.location) return false;
    if (filters.host !== null && event.instance !== filters.host) return false;
    return needle === '' || searchText(view).includes(needle);
  };
}

export function hasFilters(filters: Filters): boolean {
  return (
    filters.text.trim() !== '' || filters.process !== null || filters.country !== null || filters.proto !== null ||
    filters.direction !== null || filters.scope !== null || filters.location !== null || filters.host !== null
  );
}
