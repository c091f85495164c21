// Loads the connection, then lays out the panels around the map. State that is the user's
// (filters, sort, selection, expanded groups) lives here; connection data lives in the store.

import { useCallback, useState } from 'react';
import type { SnitchmapApi } from '../../shared/api.js';
import type { HistoryFilter } from '../../shared/history.js';
import { Workspace } from './Workspace.js';
import { Timeline } from './history/Timeline.js';
import { sameHistoryFilter } from './history/history-filter.js';
import { useHistoryStore } from './history/use-history-store.js';
import { useTimeWindow } from './history/use-time-window.js';
import { useConnection } from './use-connection-store.js';
import type { ConnectionStore } from './model/connection-store.js';

export function App({ api }: { api: SnitchmapApi }) {
  const [attempt, setAttempt] = useState(0);
  const connection = useConnection(api, attempt);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  if (connection.phase === 'loading') {
    return <div className="splash" role="status">Connecting to snitchmap…</div>;
  }
  if (connection.phase === 'failed') {
    return (
      <div className="splash" role="alert">
        <p>Could not get the connection list: {connection.message}</p>
        <button type="button" onClick={retry}>Try again</button>
      </div>
    );
  }
  return <InTime api={api} live={connection.store} />;
}

/** Live, or a past window from the history (#from=…&to=… in the URL). */
function InTime({ api, live }: { api: SnitchmapApi; live: ConnectionStore }) {
  const [window, setWindow] = useTimeWindow();
  // The list's Process/Country filters, asked of the backend for a past window (live ignores them).
  const [filter, setFilter] = useState<HistoryFilter>({});
  const onHistoryFilter = useCallback((next: HistoryFilter) => setFilter((f) => (sameHistoryFilter(f, next) ? f : next)), []);
  const past = useHistoryStore(api, window, live, filter);
  const store = window !== null && past.store !== null ? past.store : live;
  const count = window !== null && past.store !== null ? past.store.getState().connections.size : null;
  const timeline = <Timeline api={api} window={window} onWindow={setWindow} status={{ ...past, count }} />;
  return <Workspace api={api} store={store} below={timeline} onHistoryFilter={onHistoryFilter} />;
}

