// Where the live WebSocket of `snitchmap serve` is, and how it is authenticated: the token comes
// from the page URL (first visit, `?token=…`); afterwards the server's HttpOnly cookie rides along
// with the WebSocket handshake on its own, so a page loaded without the query still connects.

import { TOKEN_PARAM, WEB_SOCKET_PATH } from '../shared/web-protocol.js';

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function socketUrl(page: PageLocation): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(page.search).get(TOKEN_PARAM);
  const query = token === null ? '' : `?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
  return `${scheme}//${page.host}${WEB_SOCKET_PATH}${query}`;
}
