// Wire format between the web transport (browser side of `window.snitchmap`) and `snitchmap serve`.
// One WebSocket at WEB_SOCKET_PATH. The session token never travels in a URL the browser sends or
// in a cookie (cookies ignore ports: every other web server on 127.0.0.1 would receive it): serve
// prints it in the URL fragment, the page keeps it in sessionStorage (scoped to its own origin,
// port included) and sends it as the first frame on every socket.

import type { Delta, SnitchmapApi } from './api.js';

export const WEB_SOCKET_PATH = '/api/live';
/** Key of the token in the page URL's fragment: http://127.0.0.1:PORT/#token=… */
export const TOKEN_PARAM = 'token';
/** Frames larger than this close the socket (ws maxPayload). */
export const MAX_WEB_FRAME_BYTES = 1024 * 1024;

export type ApiMethod = Exclude<keyof SnitchmapApi, 'onDelta'>;

/** Client to server, the first frame on every socket; nothing else is read before it. */
export interface WebAuth {
  kind: 'auth';
  token: string;
}

/** Client to server: a call of one API method (only after `ready`). */
export interface WebRequest {
  id: number;
  method: ApiMethod;
  params: unknown[];
}

export type WebClientMessage = WebAuth | WebRequest;

/** Server to client. `ready` answers a correct `auth`; a wrong one closes the socket with WEB_CLOSE_UNAUTHORIZED. */
export type WebMessage =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'delta'; delta: Delta };

/** WebSocket close code (application range 4000–4999) for a missing or wrong token. */
export const WEB_CLOSE_UNAUTHORIZED = 4401;
