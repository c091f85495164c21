// From store state + the user's choices to what the panels and the map show. The map follows the
// selection (a process: only its servers, Mini's view; a host: only its places) or, with nothing
// selected, every listed connection — as Little Snitch's map does.

import type { ConnectionView } from './connection-view.js';
import { connectionMatcher, type Filters } from './filters.js';
import { groupConnections, type ProcessGroup, type SortOrder } from './grouping.js';
import { aggregateLocations, locationKey, type LocationPoint } from './locations.js';

export type Selection =
  | { kind: 'process'; key: string }
  | { kind: 'host'; key: string; processKey: string }
  | null;

export interface DerivedView {
  listed: ConnectionView[];
  groups: ProcessGroup[];
  /** Connections drawn on the map. */
  mapped: ConnectionView[];
  locations: LocationPoint[];
}

export function selectedConnections(groups: ProcessGroup[], selection: Selection): ConnectionView[] | null {
  if (selection === null) return null;
  const group = groups.find((g) => g.key === (selection.kind === 'process' ? selection.key : selection.processKey));
  if (group === undefined) return [];
  if (selection.kind === 'process') return group.hosts.flatMap((h) => h.connectionViews);
  return group.hosts.find((h) => h.key === selection.key)?.connectionViews ?? [];
}

export function deriveView(
  connections: Iterable<ConnectionView>,
  batch: number,
  filters: Filters,
  order: SortOrder,
  selection: Selection,
): DerivedView {
  const matches = connectionMatcher(filters, locationKey);
  const listed: ConnectionView[] = [];
  for (const view of connections) if (matches(view)) listed.push(view);
  const groups = groupConnections(listed, order);
  const mapped = selectedConnections(groups, selection) ?? listed;
  return { listed, groups, mapped, locations: aggregateLocations(mapped, batch) };
}
