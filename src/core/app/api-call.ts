// The one check of a window.snitchmap call, for both transports (IPC in src/main, the WebSocket of
// serve): the caller is a page, so the method name and every argument are checked here before the
// backend sees them. Field-level checks of a settings patch are the settings schema's
// (src/shared/settings.ts), applied by the store.

import { API_METHODS, type SnitchmapApi } from '../../shared/api.js';

export type ApiMethod = (typeof API_METHODS)[number];
export type ApiBackendCalls = Pick<SnitchmapApi, ApiMethod>;

export class ApiCallError extends Error {
  override name = 'ApiCallError';
}

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}

/** How many arguments each method takes, and what they must be (the patch's fields are checked later). */
const ARGUMENTS: Record<ApiMethod, (args: unknown[]) => string | null> = {
  getSnapshot: none,
  pause: none,
  resume: none,
  clear: none,
  getSettings: none,
  updateSettings: (args) =>
    args.length === 1 && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0]) ? null : 'updateSettings takes one settings object',
  retryCapture: none,
  // The window's and filter's fields are checked by the history API itself (src/core/history/api.ts).
  getHistory: (args) => (args.length >= 1 && args.length <= 2 ? null : 'getHistory takes a window and an optional filter'),
  getTimeline: (args) => (args.length === 1 ? null : 'getTimeline takes one range'),
};

function none(args: unknown[]): string | null {
  return args.length === 0 ? null : 'takes no arguments';
}

/** Checks `method` and `args`, then calls the backend; throws ApiCallError on a malformed call. */
export async function callApi(backend: ApiBackendCalls, method: unknown, args: unknown): Promise<unknown> {
  if (!isApiMethod(method)) throw new ApiCallError('unknown method');
  if (!Array.isArray(args)) throw new ApiCallError('params must be an array');
  const problem = ARGUMENTS[method](args);
  if (problem !== null) throw new ApiCallError(problem.startsWith(method) ? problem : `${method} ${problem}`);
  const fn = backend[method] as (...values: unknown[]) => Promise<unknown>;
  return fn.apply(backend, args);
}
