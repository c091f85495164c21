// Loads the connection, then lays out the panels around the map. State that is the user's
// (filters, sort, selection, expanded groups) lives here; connection data lives in the store.

import { useCallback, useState } from 'react';
import type { SnitchmapApi } from '../../shared/api.js';
import { Workspace } from './Workspace.js';
import { useConnection } from './use-connection-store.js';

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
  return <Workspace api={api} store={connection.store} />;
}
