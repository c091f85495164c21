// Snapshot + deltas for window.snitchmap. Engine messages are merged per connection id and flushed
// at most every `intervalMs` (never faster than 4 Hz): a UI redraws per delta, and a burst of
// thousands of events must cost it a few redraws, not thousands.
import type { AppStatus, Delta } from '../shared/api.js';
import type { ConnectionEvent, HelloMessage, StatsMessage } from '../shared/contract.js';
import type { Engine, Publisher } from './engine-types.js';

export interface PublisherOptions {
  intervalMs: number;
}

const MIN_INTERVAL_MS = 250;
/** Icons kept for UIs (each at most 128 KiB; real ones are a few KiB), and their total size. */
const MAX_ICONS = 256;
const MAX_ICON_BYTES = 8 * 1024 * 1024;

/** Several events of one id in one batch become one: its latest state, as an open if the batch opened it, as a close if it closed it. */
function merge(previous: ConnectionEvent | undefined, next: ConnectionEvent): ConnectionEvent {
  if (!previous || next.event === 'close' || previous.event !== 'open') return next;
  return { ...next, event: 'open' };
}

export function createPublisher(engine: Engine, options: PublisherOptions): Publisher {
  const intervalMs = Math.max(options.intervalMs, MIN_INTERVAL_MS);
  const listeners = new Set<(delta: Delta) => void>();
  let status: AppStatus = { paused: false, capture: 'none', banner: null };
  let hello: HelloMessage = engine.hello();
  let stats: StatsMessage = engine.stats();
  let pending = new Map<string, ConnectionEvent>();
  let pendingDelta: Omit<Delta, 'events'> = {};
  // Icons travel once per desktop id (snapshot, or the delta of the first connection naming it).
  const icons = new Map<string, string | null>();
  let iconBytes = 0;
  const noteIcon = (event: ConnectionEvent): void => {
    const desktop = event.process?.app?.desktop;
    if (desktop === undefined || icons.has(desktop) || icons.size >= MAX_ICONS || !engine.appIcon) return;
    let icon = engine.appIcon(desktop);
    // Past the budget an app is listed without its icon rather than growing every snapshot.
    if (icon !== null && iconBytes + icon.length > MAX_ICON_BYTES) icon = null;
    iconBytes += icon?.length ?? 0;
    icons.set(desktop, icon);
    if (icon !== null) pendingDelta.appIcons = { ...pendingDelta.appIcons, [desktop]: icon };
  };
  const knownIcons = (): Record<string, string> =>
    Object.fromEntries([...icons].filter((entry): entry is [string, string] => entry[1] !== null));

  // A flush is scheduled by the first change after the last one, never by a clock: an idle engine
  // wakes nobody. At most one flush per interval.
  let timer: NodeJS.Timeout | null = null;
  let lastFlush = 0;
  let disposed = false;
  const flush = (): void => {
    timer = null;
    lastFlush = Date.now();
    if (pending.size === 0 && Object.keys(pendingDelta).length === 0) return;
    const delta: Delta = { events: [...pending.values()], ...pendingDelta };
    pending = new Map();
    pendingDelta = {};
    for (const listener of listeners) listener(delta);
  };
  const changed = (): void => {
    if (timer !== null || disposed) return;
    // Unreferenced: the publisher serves a window or a server, which keep the process alive themselves.
    timer = setTimeout(flush, Math.max(0, lastFlush + intervalMs - Date.now()));
    timer.unref();
  };

  const unsubscribeMessages = engine.onMessage((message) => {
    if (message.type === 'connection') {
      pending.set(message.id, merge(pending.get(message.id), message));
      noteIcon(message);
    } else if (message.type === 'stats') {
      stats = message;
      pendingDelta.stats = message;
    } else {
      hello = message;
      pendingDelta.hello = message;
      if (status.capture === 'none') {
        status = { ...status, capture: message.capture };
        pendingDelta.status = status;
      }
    }
    changed();
  });
  const unsubscribeCleared = engine.onCleared(() => {
    pending = new Map();
    pendingDelta.cleared = true;
    changed();
  });

  return {
    snapshot: () => {
      const connections = engine.connections();
      for (const connection of connections) noteIcon(connection);
      return { hello, connections, stats, status, appIcons: knownIcons() };
    },
    onDelta(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setStatus(patch) {
      status = { ...status, ...patch };
      pendingDelta.status = status;
      changed();
    },
    dispose() {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      unsubscribeMessages();
      unsubscribeCleared();
      listeners.clear();
    },
  };
}
