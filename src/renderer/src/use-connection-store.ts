// Connects the store to window.snitchmap: subscribe first (buffering deltas), fetch the snapshot,
// then replay what arrived meanwhile; refetch when the capture restarts (a delta with a hello).

import { startTransition, useEffect, useState } from 'react';
import type { Delta, SnitchmapApi } from '../../shared/api.js';
import { ConnectionStore, type StoreState } from './model/connection-store.js';

export type Connection =
  | { phase: 'loading' }
  | { phase: 'failed'; message: string }
  | { phase: 'ready'; store: ConnectionStore };

/** How often closed connections are expired while no deltas arrive (paused, idle). */
const EXPIRE_EVERY_MS = 5_000;

export function useConnection(api: SnitchmapApi, attempt: number): Connection {
  const [connection, setConnection] = useState<Connection>({ phase: 'loading' });

  useEffect(function subscribeToSnitchmap() {
    let store: ConnectionStore | null = null;
    let buffered: Delta[] = [];
    let disposed = false;
    const refetch = (): void => {
      api.getSnapshot().then((snapshot) => {
        if (disposed) return;
        if (store === null) {
          store = new ConnectionStore(snapshot);
          setConnection({ phase: 'ready', store });
        } else {
          store.reset(snapshot);
        }
        const pending = buffered;
        buffered = [];
        for (const delta of pending) store.applyDelta(delta, Date.now());
      }, (error: unknown) => {
        if (!disposed) setConnection({ phase: 'failed', message: error instanceof Error ? error.message : String(error) });
      });
    };
    const unsubscribe = api.onDelta((delta) => {
      if (store === null) {
        buffered.push(delta);
        return;
      }
      store.applyDelta(delta, Date.now());
      if (delta.hello !== undefined) refetch();
    });
    const timer = window.setInterval(() => store?.expire(Date.now()), EXPIRE_EVERY_MS);
    refetch();
    return function unsubscribeFromSnitchmap() {
      disposed = true;
      window.clearInterval(timer);
      unsubscribe();
    };
  }, [api, attempt]);

  return connection;
}

/**
 * The store's state for React. Updates render as a transition: the delta handler returns at once
 * and React renders the panels in a later task, so one batch is not one long task.
 */
export function useStoreState(store: ConnectionStore): StoreState {
  const [state, setState] = useState(store.getState);
  useEffect(function followStore() {
    setState(store.getState());
    return store.subscribe(() => startTransition(() => setState(store.getState())));
  }, [store]);
  return state;
}
