// Registers one ipcMain handler per API method (channel names from src/shared/ipc.ts). A call is
// answered only when it comes from the app's own top frame; its arguments are validated first.

import { API_METHODS, type SnitchmapApi } from '../shared/api.js';
import { invokeChannel, type ApiMethod } from '../shared/ipc.js';
import { validateParams } from './ipc-params.js';

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
  const invoke = (method: ApiMethod, args: unknown[]): Promise<unknown> => {
    const params = validateParams(method, args);
    const fn = backend[method] as (...values: unknown[]) => Promise<unknown>;
    return fn.apply(backend, params);
  };
  for (const method of API_METHODS) {
    ipc.handle(invokeChannel(method), (event, ...args) => {
      const frame = event.senderFrame;
      // Subframes and anything not loaded from the app's own protocol are refused.
      if (frame === null || frame.parent !== null || !isAppUrl(frame.url)) {
        throw new Error(`refused ${method} from ${frame?.url ?? 'a destroyed frame'}`);
      }
      return invoke(method, args);
    });
  }
  return () => {
    for (const method of API_METHODS) ipc.removeHandler(invokeChannel(method));
  };
}
