// window.snitchmap over one WebSocket to `snitchmap serve` (src/shared/web-protocol.ts): the token
// goes first, and calls wait for the server's `ready`; then calls are requests answered by id,
// deltas fan out to listeners. The socket reconnects with backoff;
// after a reconnect the snapshot is fetched again and handed to listeners as one `cleared` delta,
// because deltas sent while the socket was down are gone. A call never hangs: it fails when the
// socket drops or after `requestTimeoutMs`.

import type { AppStatus, Delta, SnitchmapApi, Snapshot } from '../shared/api.js';
import { buildApi, type ApiCall, type ApiMethod } from '../shared/ipc.js';
import type { WebAuth, WebMessage, WebRequest } from '../shared/web-protocol.js';
import { parseWebMessage } from './parse-message.js';
import { SOCKET_OPEN, type SocketFactory, type SocketLike, type Timers } from './socket-like.js';

export interface WebTransportOptions {
  url: string;
  /** The session token (page-token.ts); null sends an empty one, which the server refuses. */
  token: string | null;
  createSocket: SocketFactory;
  timers: Timers;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  /** Malformed server messages are dropped and reported here (counted by the caller if it likes). */
  onProtocolError?: (message: string) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: unknown;
}

export interface WebTransport extends SnitchmapApi {
  /** Closes the socket for good (no reconnect); pending calls reject. */
  close(): void;
}

export function createWebTransport(options: WebTransportOptions): WebTransport {
  const { timers } = options;
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const requestTimeout = options.requestTimeoutMs ?? 15_000;
  const listeners = new Set<(delta: Delta) => void>();
  const pending = new Map<number, Pending>();
  const queued: WebRequest[] = [];
  let nextId = 1;
  let socket: SocketLike;
  let backoff = initialBackoff;
  /** The server accepted the token on this socket (requests before that would be refused). */
  let ready = false;
  let everOpened = false;
  let closedForGood = false;
  let lastStatus: AppStatus | null = null;

  const emit = (delta: Delta): void => {
    if (delta.status) lastStatus = delta.status;
    for (const listener of [...listeners]) listener(delta);
  };

  const failAll = (reason: string): void => {
    for (const [id, entry] of pending) {
      timers.clear(entry.timer);
      entry.reject(new Error(reason));
      pending.delete(id);
    }
    queued.length = 0;
  };

  const onReady = (): void => {
    ready = true;
    backoff = initialBackoff;
    for (const request of queued.splice(0)) socket.send(JSON.stringify(request));
    if (everOpened) resync().catch((error: unknown) => options.onProtocolError?.(`resync failed: ${String(error)}`));
    everOpened = true;
  };

  const handle = (message: WebMessage): void => {
    if (message.kind === 'ready') {
      if (!ready) onReady();
      return;
    }
    if (message.kind === 'delta') {
      emit(message.delta);
      return;
    }
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    timers.clear(entry.timer);
    if (message.kind === 'result') entry.resolve(message.result);
    else entry.reject(new Error(message.message));
  };

  const resync = async (): Promise<void> => {
    const snapshot = (await call('getSnapshot', [])) as Snapshot;
    emit({ cleared: true, events: snapshot.connections, stats: snapshot.stats, status: snapshot.status, hello: snapshot.hello });
  };

  const connect = (): void => {
    ready = false;
    socket = options.createSocket(options.url);
    socket.onopen = () => {
      const auth: WebAuth = { kind: 'auth', token: options.token ?? '' };
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (event) => {
      const parsed = parseWebMessage(event.data);
      if (typeof parsed === 'string') options.onProtocolError?.(parsed);
      else handle(parsed);
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      ready = false;
      // Never accepted: most likely the page was not opened from the address `snitchmap serve`
      // printed (no token, or a stale one from an earlier run) or the server is gone.
      failAll(everOpened ? 'connection to snitchmap serve lost' : 'cannot reach snitchmap serve (open the address it printed, with its token)');
      if (closedForGood) return;
      const status: AppStatus = lastStatus ?? { paused: false, capture: 'none', banner: null };
      emit({
        events: [],
        status: { ...status, banner: { kind: 'error', message: 'Lost the connection to snitchmap serve; reconnecting…', canRetry: false } },
      });
      lastStatus = status;
      timers.set(connect, backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    };
  };

  const call = ((method: ApiMethod, params: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (closedForGood) {
        reject(new Error('snitchmap web transport is closed'));
        return;
      }
      const request: WebRequest = { id: nextId++, method, params };
      const timer = timers.set(() => {
        pending.delete(request.id);
        const index = queued.indexOf(request);
        if (index >= 0) queued.splice(index, 1);
        reject(new Error(`${method}: no answer from snitchmap serve within ${requestTimeout} ms`));
      }, requestTimeout);
      pending.set(request.id, { resolve, reject, timer });
      if (ready && socket.readyState === SOCKET_OPEN) socket.send(JSON.stringify(request));
      else queued.push(request);
    })) as ApiCall;

  const onDelta = (listener: (delta: Delta) => void): (() => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };

  connect();
  return {
    ...buildApi(call, onDelta),
    close() {
      closedForGood = true;
      failAll('snitchmap web transport is closed');
      socket.close();
    },
  };
}
