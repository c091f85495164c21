// Optional desktop notifications (both off by default): a process connects for the first time
// since the app started, or a connection goes to a country not seen before. Names come from the
// network or from other users' processes, so they are passed as plain notification text only.
// At most `maxPerMinute` are shown; a burst is summarised, not flooded. For a few seconds after a
// capture (re)starts (a delta carrying a hello) everything is learnt silently: the first batches
// hold every connection that already existed, which are not news.

import type { Delta, Settings } from '../shared/api.js';
import type { ConnectionEvent } from '../shared/contract.js';

export interface Notice {
  title: string;
  body: string;
}

export interface Notifier {
  /** Marks connections as already seen (no notification for them). */
  seed(connections: ConnectionEvent[]): void;
  observe(delta: Delta): void;
  /** The history saw a process reach a host or country for the first time ever (once per pair). */
  firstSeen(first: { kind: 'host' | 'country'; process: string; target: string }): void;
}

export const QUIET_AFTER_START_MS = 5_000;

/**
 * Linux notification servers render a subset of HTML in the body (the Desktop Notifications spec's
 * body markup), so names from the network are escaped before they reach one.
 */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function createNotifier(
  settings: () => Settings,
  show: (notice: Notice) => void,
  now: () => number = Date.now,
  maxPerMinute = 5,
): Notifier {
  let quietUntil = -Infinity;
  const processes = new Set<string>();
  const countries = new Set<string>();
  let windowStart = 0;
  let shown = 0;
  let suppressed = 0;

  const emit = (notice: Notice): void => {
    if (now() - windowStart >= 60_000) {
      if (suppressed > 0) show({ title: 'snitchmap', body: `${suppressed} more notifications were not shown` });
      windowStart = now();
      shown = 0;
      suppressed = 0;
    }
    if (shown < maxPerMinute) {
      shown++;
      show(notice);
    } else suppressed++;
  };

  const processKey = (event: ConnectionEvent): string | null =>
    event.process ? (event.process.exe ?? event.process.name) : null;

  const learn = (event: ConnectionEvent, notify: boolean): void => {
    const { newProcess, newCountry } = settings().notifications;
    const key = processKey(event);
    if (key !== null && !processes.has(key)) {
      processes.add(key);
      if (notify && newProcess && event.process) {
        emit({ title: `${event.process.name} connects`, body: `First connection: ${event.remote.host ?? event.remote.ip} (${event.proto}/${event.remote.port})` });
      }
    }
    const country = event.remote.geo?.country;
    if (country !== undefined && !countries.has(country)) {
      countries.add(country);
      if (notify && newCountry) {
        emit({ title: `New country: ${country}`, body: `${event.process?.name ?? 'unknown process'} → ${event.remote.host ?? event.remote.ip}` });
      }
    }
  };

  return {
    seed(connections) {
      for (const event of connections) learn(event, false);
    },
    firstSeen(first) {
      const { newProcess, newCountry } = settings().notifications;
      if (now() < quietUntil || !(first.kind === 'host' ? newProcess : newCountry)) return;
      emit({ title: `New: ${first.process}`, body: `${first.process} → ${first.target}, never seen before in the history` });
    },
    observe(delta) {
      if (delta.hello) quietUntil = now() + QUIET_AFTER_START_MS;
      const notify = now() >= quietUntil;
      for (const event of delta.events) if (event.event === 'open') learn(event, notify);
    },
  };
}
