// Some problems repeat once per event: a GeoIP file with a corrupt record fails every lookup that
// reaches it, a closed stdout fails every message. Such warnings go out once per kind and interval;
// the next one after the interval says how many were held back, so nothing is lost silently.

export type KeyedWarn = (kind: string, message: string) => void;

export function limitWarnings(warn: (message: string) => void, now: () => number, intervalMs = 60_000): KeyedWarn {
  const kinds = new Map<string, { lastShown: number; held: number }>();
  return (kind, message) => {
    const state = kinds.get(kind);
    const at = now();
    if (state !== undefined && at - state.lastShown < intervalMs) {
      state.held++;
      return;
    }
    const held = state?.held ?? 0;
    kinds.set(kind, { lastShown: at, held: 0 });
    warn(held === 0 ? message : `${message} (and ${held} more like it since the last report)`);
  };
}
