// The renderer is served from a custom protocol rather than file:// (Electron security checklist:
// file:// pages get extra privileges). One origin, app://snitchmap, maps onto the built renderer.

import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'snitchmap';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export { CONTENT_SECURITY_POLICY } from '../shared/csp.js';

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The file under `root` an app:// URL names, or null when it is not ours or escapes `root`. */
export function resolveAppPath(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = normalize(pathname === '/' ? '/index.html' : pathname);
  const file = join(root, relative);
  const base = root.endsWith(sep) ? root : root + sep;
  return file.startsWith(base) && extname(file) !== '' ? file : null;
}
