// One history store for the app's life (desktop or serve), recording the engine of whichever capture
// session runs: a Retry starts a new session with a new engine, and the store moves to it.

import { createHistoryApi, type HistoryApi } from '../history/api.js';
import type { History } from '../history/history.js';
import type { CaptureSupervisor } from './capture-supervisor.js';

export interface SessionHistory {
  api: HistoryApi;
  history: History;
  dispose(): void;
}

export function recordSessions(supervisor: Pick<CaptureSupervisor, 'onChange'>, history: History): SessionHistory {
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
