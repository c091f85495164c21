// Installs window.snitchmap over the WebSocket of `snitchmap serve` when no Electron preload
// provided one. The renderer entry imports this module once, before it first touches the API:
//   import '../../web-transport/install';     (from src/renderer/src/main.tsx)
// or './../web-transport/install' from a file directly in src/renderer.

import type { SnitchmapApi } from '../shared/api.js';
import { takePageToken } from './page-token.js';
import { socketUrl } from './socket-url.js';
import { createWebTransport } from './web-transport.js';

// The global is declared as always present (api.ts); in a plain browser page it is not, yet.
const provided: SnitchmapApi | undefined = window.snitchmap;
if (provided === undefined) {
  window.snitchmap = createWebTransport({
    url: socketUrl(window.location),
    token: takePageToken(window),
    createSocket: (url) => new WebSocket(url),
    timers: { set: (callback, ms) => window.setTimeout(callback, ms), clear: (handle) => window.clearTimeout(handle as number) },
    onProtocolError: (message) => console.warn(`snitchmap: ${message}`),
  });
}
