// The first frame of every live WebSocket must be {"kind":"auth","token":…} (web-protocol.ts).
// Until then nothing else is read and nothing is sent; a wrong, missing or late token closes it.

import type { WebSocket } from 'ws';
import { WEB_CLOSE_UNAUTHORIZED, type WebAuth } from '../../shared/web-protocol.js';
import { sameToken } from './security.js';

/** A page that opened the socket sends its token at once; this only bounds idle strangers. */
const AUTH_TIMEOUT_MS = 10_000;

function tokenOf(data: unknown, isBinary: boolean): string | null {
  if (isBinary || !Buffer.isBuffer(data) || data.length > 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return null;
  }
  const auth = value as Partial<WebAuth> | null;
  return typeof auth === 'object' && auth !== null && auth.kind === 'auth' && typeof auth.token === 'string' ? auth.token : null;
}

/**
 * Calls `onReady` synchronously from the auth frame's handler, so a request that arrived in the same
 * TCP segment right behind it finds the caller's message listener already in place.
 */
export function requireAuth(client: WebSocket, token: string, onReady: () => void, timeoutMs = AUTH_TIMEOUT_MS): void {
  const refuse = (reason: string): void => client.close(WEB_CLOSE_UNAUTHORIZED, reason);
  const timer = setTimeout(() => refuse('token required'), timeoutMs);
  client.once('close', () => clearTimeout(timer));
  client.once('message', (data, isBinary) => {
    clearTimeout(timer);
    if (sameToken(tokenOf(data, isBinary), token)) onReady();
    else refuse('token required: open the address snitchmap serve printed');
  });
}
