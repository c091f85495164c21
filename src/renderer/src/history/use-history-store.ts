// The connections of a past window as a ConnectionStore, so the map, list and details show them
// exactly as they show live ones. Their byte counts are the bytes moved in the window.

import { useEffect, useState } from 'react';
import type { SnitchmapApi } from '../../../shared/api.js';
import type { HistoryConnection, HistoryFilter, HistoryWindow } from '../../../shared/history.js';
import { ConnectionStore } from '../model/connection-store.js';

export interface PastView {
  store: ConnectionStore | null;
  loading: boolean;
  notice: string | null;
  /** Connections active in the window (passing `filter`); more than the store holds when the answer was cut. */
  total: number | null;
}

function inWindow(c: HistoryConnection): HistoryConnection {
  return { ...c, txBytes: c.windowTxBytes, rxBytes: c.windowRxBytes };
}

/** `filter`: the list's filters the backend applies (history-filter.ts); a new object asks again. */
export function useHistoryStore(api: SnitchmapApi, window: HistoryWindow | null, live: ConnectionStore, filter: HistoryFilter): PastView {
  const [view, setView] = useState<PastView>({ store: null, loading: false, notice: null, total: null });
  useEffect(function loadWindow() {
    if (window === null) {
      setView({ store: null, loading: false, notice: null, total: null });
      return;
    }
    let current = true;
    setView((v) => ({ ...v, loading: true }));
    const filtered = filter.process !== undefined || filter.country !== undefined;
    (filtered ? api.getHistory(window, filter) : api.getHistory(window)).then(
      (result) => {
        if (!current) return;
        const { hello, stats, status } = live.getState();
        const store = new ConnectionStore({ hello, stats, status, connections: result.connections.map(inWindow) });
        setView({ store, loading: false, notice: result.notice, total: result.total });
      },
      (error: unknown) => current && setView({ store: null, loading: false, notice: error instanceof Error ? error.message : String(error), total: null }),
    );
    return () => {
      current = false;
    };
  }, [api, window, live, filter]);
  return view;
}
