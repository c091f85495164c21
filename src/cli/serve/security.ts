// Who may talk to `snitchmap serve`: a page from http://127.0.0.1:PORT or http://localhost:PORT
// that knows the random token. The Host check stops DNS rebinding (an attacker's name resolving to
// 127.0.0.1 sends its own Host); the Origin check stops other local sites and cross-site WebSockets
// (a WebSocket is not bound by the same-origin policy); the token, sent as the first WebSocket
// frame (web-protocol.ts), stops other local users and anything else that can reach the port.
// The static files carry no secret and no data (the built renderer), so plain HTTP needs no token.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js';

export { CONTENT_SECURITY_POLICY };

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/** An absent Origin is allowed for plain HTTP (top-level navigation); WebSockets must send one. */
export function isAllowedOrigin(origin: string | undefined, port: number, required: boolean): boolean {
  if (origin === undefined) return !required;
  return allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type Verdict = { ok: true } | { ok: false; status: 403; reason: string };

/** Host and Origin checks for one request (HTTP or the WebSocket upgrade); the token comes later. */
export function checkRequest(request: IncomingMessage, port: number, websocket: boolean): Verdict {
  if (!isAllowedHost(request.headers.host, port)) return { ok: false, status: 403, reason: 'unexpected Host' };
  if (!isAllowedOrigin(request.headers.origin, port, websocket)) return { ok: false, status: 403, reason: 'unexpected Origin' };
  return { ok: true };
}
