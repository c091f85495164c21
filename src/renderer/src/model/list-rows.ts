// The grouped list flattened into fixed-height rows, so the panel can render only the visible
// window (20,000 connections would otherwise mean 20,000 DOM rows per update).

import type { HostGroup, ProcessGroup } from './grouping.js';

export type ListRow =
  | { kind: 'process'; key: string; group: ProcessGroup; expanded: boolean }
  | { kind: 'host'; key: string; group: HostGroup }
  | { kind: 'more'; key: string; processKey: string; hidden: number };

/** Hosts shown under a process until the user asks for all of them (Mini shows the first few). */
export const HOSTS_SHOWN = 4;

export function flattenGroups(
  groups: ProcessGroup[],
  collapsed: ReadonlySet<string>,
  showAllHosts: ReadonlySet<string>,
): ListRow[] {
  const rows: ListRow[] = [];
  for (const group of groups) {
    const expanded = !collapsed.has(group.key);
    rows.push({ kind: 'process', key: group.key, group, expanded });
    if (!expanded) continue;
    const limit = showAllHosts.has(group.key) ? group.hosts.length : HOSTS_SHOWN;
    for (const host of group.hosts.slice(0, limit)) rows.push({ kind: 'host', key: host.key, group: host });
    if (group.hosts.length > limit) {
      rows.push({ kind: 'more', key: `${group.key}\u0000more`, processKey: group.key, hidden: group.hosts.length - limit });
    }
  }
  return rows;
}
