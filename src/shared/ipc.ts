// IPC channel names between the Electron preload and main, derived from the one API contract
// (api.ts) so that neither side spells a channel by hand.

import { API_METHODS, type Delta, type SnitchmapApi } from './api.js';

export type ApiMethod = (typeof API_METHODS)[number];

/** Renderer → main request/response channel (ipcRenderer.invoke / ipcMain.handle) of one method. */
export function invokeChannel(method: ApiMethod): string {
  return `snitchmap:${method}`;
}

/** Main → renderer push channel carrying one Delta per message. */
export const DELTA_CHANNEL = 'snitchmap:delta';

/** Parameters and result of each request method, for handlers typed from the contract. */
export type ApiParams<M extends ApiMethod> = Parameters<SnitchmapApi[M]>;
export type ApiResult<M extends ApiMethod> = Awaited<ReturnType<SnitchmapApi[M]>>;

/** How a transport performs one call; both transports build window.snitchmap from this. */
export type ApiCall = <M extends ApiMethod>(method: M, params: ApiParams<M>) => Promise<ApiResult<M>>;

/** Builds the SnitchmapApi object from a call function and a delta subscription. */
export function buildApi(call: ApiCall, onDelta: (listener: (delta: Delta) => void) => () => void): SnitchmapApi {
  return {
    getSnapshot: () => call('getSnapshot', []),
    onDelta,
    pause: () => call('pause', []),
    resume: () => call('resume', []),
    clear: () => call('clear', []),
    getSettings: () => call('getSettings', []),
    updateSettings: (patch) => call('updateSettings', [patch]),
    retryCapture: () => call('retryCapture', []),
    getHistory: (window, filter) => call('getHistory', filter === undefined ? [window] : [window, filter]),
    getTimeline: (range) => call('getTimeline', [range]),
  };
}
