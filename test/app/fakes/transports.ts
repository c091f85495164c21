// Both real window.snitchmap implementations, each wired to a fake backend the way the app wires
// them: the preload through a fake ipcRenderer/ipcMain pair and the real main-side IPC gateway;
// the web transport through a real `ws` server on 127.0.0.1.

import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { SnitchmapApi } from '../../../src/shared/api.js';
import { DELTA_CHANNEL } from '../../../src/shared/ipc.js';
import { WEB_CLOSE_UNAUTHORIZED, WEB_SOCKET_PATH, type WebAuth, type WebMessage, type WebRequest } from '../../../src/shared/web-protocol.js';
import { registerApiHandlers, type InvokeEventLike } from '../../../src/main/ipc-gateway.js';
import { createIpcApi } from '../../../src/preload/ipc-api.js';
import { createWebTransport, type WebTransport } from '../../../src/web-transport/web-transport.js';
import type { SocketLike } from '../../../src/web-transport/socket-like.js';
import { isAppUrl } from '../../../src/main/app-url.js';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export interface IpcPair {
  api: SnitchmapApi;
  handlers: Map<string, Handler>;
  /** The frame the fake renderer calls from. */
  frame: { url: string; parent: unknown };
  listenerCount(): number;
}

export function preloadTransport(backend: SnitchmapApi): IpcPair {
  const handlers = new Map<string, Handler>();
  const rendererListeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const frame = { url: 'app://snitchmap/index.html', parent: null as unknown };
  registerApiHandlers(
    { handle: (channel, handler) => handlers.set(channel, handler), removeHandler: (channel) => handlers.delete(channel) },
    backend,
    isAppUrl,
  );
  // Structured clone, as Electron's IPC does: nothing is shared by reference across the bridge.
  const api = createIpcApi({
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handler({ senderFrame: frame }, ...structuredClone(args)));
    },
    on: (channel, listener) => {
      const set = rendererListeners.get(channel) ?? new Set();
      set.add(listener);
      rendererListeners.set(channel, set);
    },
    removeListener: (channel, listener) => rendererListeners.get(channel)?.delete(listener),
  });
  backend.onDelta((delta) => {
    for (const listener of rendererListeners.get(DELTA_CHANNEL) ?? []) listener({ sender: 'main' }, structuredClone(delta));
  });
  return { api, handlers, frame, listenerCount: () => rendererListeners.get(DELTA_CHANNEL)?.size ?? 0 };
}

export interface WebServer {
  url: string;
  port: number;
  server: WebSocketServer;
  /** Drops every client connection (the transport should reconnect). */
  dropClients(): void;
  close(): Promise<void>;
}

/** The token the fake server wants first on every socket, as serve does. */
export const FAKE_TOKEN = 't0k';

export async function startWebServer(backend: SnitchmapApi, port = 0): Promise<WebServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port, path: WEB_SOCKET_PATH });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const send = (socket: WebSocket, message: WebMessage): void => socket.send(JSON.stringify(message));
  const ready = new Set<WebSocket>();
  backend.onDelta((delta) => {
    for (const client of ready) send(client, { kind: 'delta', delta });
  });
  server.on('connection', (socket) => {
    socket.on('close', () => ready.delete(socket));
    socket.on('message', async (data) => {
      if (!ready.has(socket)) {
        const auth = JSON.parse(String(data)) as WebAuth;
        if (auth.kind !== 'auth' || auth.token !== FAKE_TOKEN) return socket.close(WEB_CLOSE_UNAUTHORIZED, 'token required');
        ready.add(socket);
        return send(socket, { kind: 'ready' });
      }
      const request = JSON.parse(String(data)) as WebRequest;
      try {
        const fn = backend[request.method] as (...params: unknown[]) => Promise<unknown>;
        send(socket, { kind: 'result', id: request.id, result: (await fn.apply(backend, request.params)) ?? null });
      } catch (error) {
        send(socket, { kind: 'error', id: request.id, message: (error as Error).message });
      }
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actualPort}${WEB_SOCKET_PATH}`,
    port: actualPort,
    server,
    dropClients: () => {
      for (const client of server.clients) client.terminate();
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

export function webTransport(
  url: string,
  overrides: { token?: string | null; requestTimeoutMs?: number; onProtocolError?: (message: string) => void } = {},
): WebTransport {
  return createWebTransport({
    url,
    token: FAKE_TOKEN,
    createSocket: (target): SocketLike => new WebSocket(target),
    timers: { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) },
    initialBackoffMs: 20,
    maxBackoffMs: 200,
    ...overrides,
  });
}
