// The part of the browser's WebSocket the transport uses; `ws` in Node and the DOM WebSocket
// both fit it, which is what lets the tests run against a real server without a browser.

// Handlers are declared through a method signature so that sockets whose handlers take a richer
// event type (DOM MessageEvent, ws's MessageEvent) still fit: the transport only reads `data`.
type Handler<E> = { handle(event: E): void }['handle'];

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

export const SOCKET_OPEN = 1;

export type SocketFactory = (url: string) => SocketLike;

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}
