// The HTTP + WebSocket server of `snitchmap serve`, on 127.0.0.1 only. Every request passes the
// Host/Origin/token checks of security.ts; the first page load trades the URL token for an
// HttpOnly cookie and is redirected to the same path without it (so it stays out of history).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Delta } from '../../shared/api.js';
import { WEB_SOCKET_PATH, type WebMessage } from '../../shared/web-protocol.js';
import { handleWebRequest, type ApiBackend } from './live-api.js';
import { SECURITY_HEADERS, checkRequest, tokenCookie } from './security.js';
import { resolveStatic } from './static-files.js';

/** A client this far behind is dropped; it reconnects and refetches the snapshot. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const MAX_REQUEST_BYTES = 1024 * 1024;

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

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  let port = options.port;
  const requestUrl = (request: IncomingMessage): URL => new URL(request.url ?? '/', 'http://127.0.0.1');

  const server = createServer((request, response) => {
    const url = requestUrl(request);
    const verdict = checkRequest(request, url, port, options.token, false);
    if (!verdict.ok) return reply(response, verdict.status, `${verdict.reason}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    if (verdict.viaQuery) {
      return reply(response, 303, '', { 'Set-Cookie': tokenCookie(options.token), Location: url.pathname });
    }
    const file = resolveStatic(options.rendererRoot, url.pathname);
    if (file.status === 404) return reply(response, 404, 'not found\n');
    if (file.status === 503) return reply(response, 503, file.body);
    reply(response, 200, file.body, { 'Content-Type': file.type });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = requestUrl(request);
    if (url.pathname !== WEB_SOCKET_PATH) return refuseUpgrade(socket, 404, 'not found');
    const verdict = checkRequest(request, url, port, options.token, true);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    sockets.handleUpgrade(request, socket, head, (client) => sockets.emit('connection', client, request));
  });

  const send = (client: WebSocket, message: WebMessage): void => {
    if (client.readyState !== client.OPEN) return;
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) return client.close(1013, 'too far behind; reconnect');
    client.send(JSON.stringify(message));
  };
  sockets.on('connection', (client: WebSocket) => {
    client.on('message', (data, isBinary) => {
      if (isBinary) return;
      void handleWebRequest(options.backend, data.toString()).then((answer) => answer && send(client, answer));
    });
  });
  const unsubscribe = options.onDelta((delta) => {
    for (const client of sockets.clients) send(client, { kind: 'delta', delta });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/?token=${options.token}`,
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
