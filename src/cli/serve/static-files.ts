// Serves the built renderer (out/renderer/) read-only. Paths are resolved inside the root and
// anything escaping it, hidden or not a regular file is a 404.

import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticResult =
  | { status: 200; type: string; body: Buffer }
  | { status: 404 }
  | { status: 503; body: string };

export function rendererMissing(root: string): string {
  return `snitchmap: the web UI is not built (${join(root, 'index.html')} is missing).\nRun 'npm run build' and start 'snitchmap serve' again.\n`;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function resolveStatic(root: string, pathname: string): StaticResult {
  if (!isFile(join(root, 'index.html'))) return { status: 503, body: rendererMissing(root) };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 404 };
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return { status: 404 };
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = normalize(join(root, relative));
  if (!full.startsWith(normalize(root) + sep) || !isFile(full)) return { status: 404 };
  return { status: 200, type: TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream', body: readFileSync(full) };
}
