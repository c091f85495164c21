// The renderer is untrusted: the arguments of every IPC call are checked before the backend sees
// them. Only updateSettings takes an argument (its fields are checked by applySettingsPatch).

import type { ApiMethod, ApiParams } from '../shared/ipc.js';

export class IpcParamsError extends Error {
  override name = 'IpcParamsError';
}

export function validateParams<M extends ApiMethod>(method: M, args: unknown[]): ApiParams<M> {
  if (method === 'updateSettings') {
    const [patch] = args;
    if (args.length !== 1 || typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new IpcParamsError('updateSettings takes one settings object');
    }
    return args as ApiParams<M>;
  }
  // Their fields are checked by src/core/history/api.ts, the one implementation both transports call.
  if (method === 'getHistory' || method === 'getTimeline') {
    if (args.length < 1 || args.length > 2) throw new IpcParamsError(`${method} takes a window (and a filter)`);
    return args as ApiParams<M>;
  }
  if (args.length !== 0) throw new IpcParamsError(`${method} takes no arguments`);
  return args as ApiParams<M>;
}
