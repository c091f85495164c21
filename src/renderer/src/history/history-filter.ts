// Which of the list's filters a past window asks the backend for. The backend sends at most a few
// thousand connections of a window (src/core/history/api.ts, UI_LIMIT), the newest: filtering only
// those in the page would hide a process or country found only among the older ones. So the Process
// and Country filters go with the request (the newest *matching* connections and their total come
// back), and the page's own filter still runs on the answer (an app's processes, pid, "no location").
// Pure, tested in Node.

import type { HistoryFilter } from '../../../shared/history.js';
import { NO_COUNTRY } from '../model/filters.js';

// The store's check (src/core/history/api.ts, parseFilter): a value it would refuse stays in the page.
const COUNTRY = /^[A-Za-z]{2}$/;
const MAX_PROCESS = 64;

/**
 * `country`: the Country filter. `processName`: the process name of the picked Process group, or
 * null when the group has none or several (an app of many processes): then the page alone filters.
 */
export function historyFilterOf(country: string | null, processName: string | null): HistoryFilter {
  const filter: HistoryFilter = {};
  if (processName !== null && processName.length > 0 && processName.length <= MAX_PROCESS) filter.process = processName;
  if (country !== null && country !== NO_COUNTRY && COUNTRY.test(country)) filter.country = country;
  return filter;
}

export function sameHistoryFilter(a: HistoryFilter, b: HistoryFilter): boolean {
  return a.process === b.process && a.country === b.country && a.limit === b.limit;
}
