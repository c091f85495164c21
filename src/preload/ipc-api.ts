// window.snitchmap over Electron IPC. The Electron object is injected (the part of ipcRenderer
// this needs), so the same code runs against a fake in tests.

import type { Delta, SnitchmapApi } from '../shared/api.js';
import { buildApi, DELTA_CHANNEL, invokeChannel, type ApiCall } from '../shared/ipc.js';

/** The slice of Electron's ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createIpcApi(ipc: IpcRendererLike): SnitchmapApi {
  // The main process answers each channel with the result type of that method (src/main/ipc.ts
  // registers the handlers from the same contract), so the cast only restates that pairing.
  const call = ((method, params) => ipc.invoke(invokeChannel(method), ...params)) as ApiCall;

  const onDelta = (listener: (delta: Delta) => void): (() => void) => {
    // The IPC event object is never handed to the page (it exposes the sender and ports).
    const wrapped = (_event: unknown, delta: unknown): void => listener(delta as Delta);
    ipc.on(DELTA_CHANNEL, wrapped);
    return () => {
      ipc.removeListener(DELTA_CHANNEL, wrapped);
    };
  };

  return buildApi(call, onDelta);
}
