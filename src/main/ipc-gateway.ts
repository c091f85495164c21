// The IPC transport of window.snitchmap: one ipcMain handler per API method (channel names from
// src/shared/ipc.ts). A call is answered only when it comes from the app's own top frame; the call
// itself is checked and performed by the shared backend's callApi (src/core/app/api-call.ts).

import { API_METHODS, type SnitchmapApi } from '../shared/api.js';
import { invokeChannel } from '../shared/ipc.js';
import { callApi } from '../core/app/api-call.js';

/** The slice of an IpcMainInvokeEvent that is checked. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

/** The slice of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, handler: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export type Backend = Omit<SnitchmapApi, 'onDelta'>;

export function registerApiHandlers(ipc: IpcMainLike, backend: Backend, isAppUrl: (url: string) => boolean): () => void {
  for (const method of API_METHODS) {
    ipc.handle(invokeChannel(method), (event, ...args) => {
      const frame = event.senderFrame;
      // Subframes and anything not loaded from the app's own protocol are refused.
      if (frame === null || frame.parent !== null || !isAppUrl(frame.url)) {
        throw new Error(`refused ${method} from ${frame?.url ?? 'a destroyed frame'}`);
      }
      return callApi(backend, method, args);
    });
  }
  return () => {
    for (const method of API_METHODS) ipc.removeHandler(invokeChannel(method));
  };
}
