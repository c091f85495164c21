// Wire format between the web transport (browser side of `window.snitchmap`) and `snitchmap serve`.
// One WebSocket at WEB_SOCKET_PATH, authenticated by the same token as every HTTP request.

import type { Delta, SnitchmapApi } from './api.js';

export const WEB_SOCKET_PATH = '/api/live';
/** Query parameter (first request) and cookie name carrying the session token. */
export const TOKEN_PARAM = 'token';
export const TOKEN_COOKIE = 'snitchmap_token';

export type ApiMethod = Exclude<keyof SnitchmapApi, 'onDelta'>;

/** Client to server: a call of one API method. */
export interface WebRequest {
  id: number;
  method: ApiMethod;
  params: unknown[];
}

/** Server to client. */
export type WebMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'delta'; delta: Delta };
