// A Tracker on a hand-driven clock that records what it emits, for the tracker's unit tests.
import { Tracker, type TrackerOptions } from '../../../../src/core/tracker/tracker.js';
import type { ConnectionEvent } from '../../../../src/shared/contract.js';

export function trackerSetup(options: Partial<TrackerOptions> = {}) {
  const clock = { now: 10_000 };
  const events: ConnectionEvent[] = [];
  const tracker = new Tracker({
    now: () => clock.now,
    emit: (event) => events.push(event),
    describeRemote: () => ({ host: null, scope: 'internet', geo: null, asn: null }),
    hostFor: () => null,
    userOf: (uid) => (uid === 1000 ? 'alice' : null),
    endGraceMs: 0,
    ...options,
  });
  /** Moves the clock `ms` forward in `stepMs` steps, ticking after each. */
  const advance = (ms: number, stepMs = 100): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      clock.now += stepMs;
      tracker.tick();
    }
  };
  return { clock, events, tracker, advance };
}
