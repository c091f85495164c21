// Serves the built renderer on app://snitchmap with the CSP header on every response.

import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, CONTENT_SECURITY_POLICY, resolveAppPath } from './app-url.js';

/**
 * Must run before the app is ready (Electron's rule for privileged schemes). corsEnabled: Vite's
 * `<script type="module" crossorigin>` is fetched in CORS mode, which Chromium allows only on
 * CORS-enabled schemes.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

export function setupAppProtocol(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(rendererRoot, request.url);
    if (file === null) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
