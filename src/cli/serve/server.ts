// The HTTP + WebSocket server of `snitchmap serve`, on 127.0.0.1 only. Every request passes the
// Host/Origin checks of security.ts; the live WebSocket then needs the token as its first frame
// (socket-auth.ts). The printed URL carries the token in its fragment, which browsers never send.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Delta } from '../../shared/api.js';
import { MAX_WEB_FRAME_BYTES, TOKEN_PARAM, WEB_SOCKET_PATH, type WebMessage } from '../../shared/web-protocol.js';
import { handleWebRequest, type ApiBackend } from './live-api.js';
import { SECURITY_HEADERS, checkRequest } from './security.js';
import { requireAuth } from './socket-auth.js';
import { resolveStatic } from './static-files.js';

/** A client this far behind is dropped; it reconnects and refetches the snapshot. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface ServerOptions {
  port: number;
  token: string;
  rendererRoot: string;
  backend: ApiBackend;
  onDelta(listener: (delta: Delta) => void): () => void;
}

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' };

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = STATUS_TEXT[status] ?? 'Forbidden';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

/** The request target as a URL; null for targets WHATWG URL refuses (`//[`), which would throw. */
function requestUrl(request: IncomingMessage): URL | null {
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  let port = options.port;

  const server = createServer((request, response) => {
    const url = requestUrl(request);
    if (url === null) return reply(response, 400, 'bad request target\n');
    const verdict = checkRequest(request, port, false);
    if (!verdict.ok) return reply(response, verdict.status, `${verdict.reason}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    const file = resolveStatic(options.rendererRoot, url.pathname);
    if (file.status === 404) return reply(response, 404, 'not found\n');
    if (file.status === 503) return reply(response, 503, file.body);
    reply(response, 200, file.body, { 'Content-Type': file.type });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WEB_FRAME_BYTES });
  const ready = new Set<WebSocket>();
  server.on('upgrade', (request, socket, head) => {
    // Node hands the raw socket over without its own error listener: a reset while we answer would
    // otherwise be an uncaught 'error' that ends serve (and the capture with it).
    socket.on('error', () => socket.destroy());
    const url = requestUrl(request);
    if (url === null) return refuseUpgrade(socket, 400, 'bad request target');
    if (url.pathname !== WEB_SOCKET_PATH) return refuseUpgrade(socket, 404, 'not found');
    const verdict = checkRequest(request, port, true);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    sockets.handleUpgrade(request, socket, head, (client) => sockets.emit('connection', client, request));
  });

  const send = (client: WebSocket, message: WebMessage): void => {
    if (client.readyState !== client.OPEN) return;
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) return client.close(1013, 'too far behind; reconnect');
    client.send(JSON.stringify(message));
  };
  sockets.on('connection', (client: WebSocket) => {
    // ws reports protocol violations (unmasked or oversized frames, invalid UTF-8) as 'error' and
    // closes that socket itself; without a listener the error would be thrown out of serve.
    client.on('error', () => client.terminate());
    client.on('close', () => ready.delete(client));
    requireAuth(client, options.token, () => {
      ready.add(client);
      client.on('message', (data, isBinary) => {
        if (isBinary) return;
        void handleWebRequest(options.backend, data.toString()).then((answer) => answer && send(client, answer));
      });
      send(client, { kind: 'ready' });
    });
  });
  const unsubscribe = options.onDelta((delta) => {
    for (const client of ready) send(client, { kind: 'delta', delta });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/#${TOKEN_PARAM}=${options.token}`,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const client of sockets.clients) client.terminate();
            sockets.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
