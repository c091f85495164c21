// The desktop app's history: one store for the app's life (the settings' `history` section,
// read at start), recording the engine of whichever capture session runs. First-seen pairs go to
// the notifier.

import { createHistoryApi, type HistoryApi } from '../core/history/api.js';
import { openHistory, type History } from '../core/history/history.js';
import { defaultHistoryPath } from '../core/history/paths.js';
import type { FirstSeen } from '../core/history/recorder.js';
import { DAY_MS } from '../core/history/retention.js';
import { DEFAULT_HISTORY_SETTINGS } from '../core/history/settings.js';
import type { Settings } from '../shared/api.js';
import type { CaptureSupervisor } from './capture-supervisor.js';

export interface DesktopHistory {
  api: HistoryApi;
  history: History;
  dispose(): void;
}

export function createDesktopHistory(
  supervisor: CaptureSupervisor,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  onWarning: (message: string) => void,
  onFirstSeen: (first: FirstSeen) => void,
): DesktopHistory {
  const chosen = settings.history ?? DEFAULT_HISTORY_SETTINGS;
  // SNITCHMAP_HISTORY: the desktop app's --history (tests, a second profile); empty keeps nothing.
  const override = env.SNITCHMAP_HISTORY;
  const file = override !== undefined ? (override === '' ? null : override) : chosen.enabled ? defaultHistoryPath(env) : null;
  const history = openHistory({
    file,
    onWarning,
    onFirstSeen,
    retention: { maxAgeMs: chosen.retentionDays * DAY_MS, maxBytes: chosen.maxMegabytes * 1024 * 1024 },
  });
  let engine: unknown = null;
  let detach: () => void = () => undefined;
  const stopWatching = supervisor.onChange((state) => {
    const next = state.session?.engine ?? null;
    if (next === engine) return;
    detach();
    detach = () => undefined;
    engine = next;
    if (state.session) detach = history.attach(state.session.engine);
  });
  return {
    api: createHistoryApi(() => history),
    history,
    dispose() {
      stopWatching();
      detach();
      history.close();
    },
  };
}
