// Where the live WebSocket of `snitchmap serve` is. The URL carries no token: the transport sends
// it as the socket's first frame (see page-token.ts for where the page gets it).

import { WEB_SOCKET_PATH } from '../shared/web-protocol.js';

export interface PageLocation {
  protocol: string;
  host: string;
}

export function socketUrl(page: PageLocation): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${WEB_SOCKET_PATH}`;
}
