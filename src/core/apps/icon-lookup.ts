// An application icon by name, as the Icon Theme Specification finds it when the current theme has
// none: `hicolor` (the fallback theme every icon must be installed in) under each data dir's icons/
// and ~/.icons, then `pixmaps/`. Absolute Icon= paths are taken as they are. We do not read the
// user's chosen theme (it lives in desktop settings, not files the spec names). The result is a data:
// URL (the renderer's CSP allows data: images; it never gets a file path); PNG and SVG only,
// recognised by their bytes, at most MAX_ICON bytes. An SVG in an <img> runs no scripts.

import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { join } from 'node:path';

export const MAX_ICON = 128 * 1024;

/** Sizes tried in order: the list shows icons at 16-24 px; 48 and scalable scale best. */
const SIZES = ['48x48', 'scalable', '64x64', '32x32', '128x128', '256x256', '24x24', '22x22', '16x16', '512x512'];

/** Reads a regular file of at most `limit` bytes without following it into a FIFO or device. */
export function readSmallFile(path: string, limit: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > limit || stat.size === 0) return null;
    const buffer = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const read = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return buffer.subarray(0, offset);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** data: URL of PNG or SVG bytes; null for anything else. */
export function iconDataUrl(bytes: Buffer): string | null {
  if (bytes.length > PNG_SIGNATURE.length && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return `data:image/png;base64,${bytes.toString('base64')}`;
  }
  const head = bytes.subarray(0, 4096).toString('utf8');
  if (/<svg[\s>]/.test(head)) return `data:image/svg+xml;base64,${bytes.toString('base64')}`;
  return null;
}

/** Candidate files for icon `name` in the lookup order. */
export function iconCandidates(name: string, dataDirs: string[], home: string): string[] {
  if (name.startsWith('/')) return [name];
  // An icon name is a plain name (the spec: no path, no extension); anything else is not looked up.
  if (!/^[A-Za-z0-9._+@-]+$/.test(name) || name.startsWith('.')) return [];
  const base = name.replace(/\.(png|svg)$/, '');
  const themeDirs = [join(home, '.icons'), ...dataDirs.map((dir) => join(dir, 'icons'))];
  const files: string[] = [];
  for (const size of SIZES) {
    for (const dir of themeDirs) {
      for (const ext of size === 'scalable' ? ['svg'] : ['png', 'svg']) files.push(join(dir, 'hicolor', size, 'apps', `${base}.${ext}`));
    }
  }
  for (const dir of dataDirs) for (const ext of ['png', 'svg']) files.push(join(dir, 'pixmaps', `${base}.${ext}`));
  return files;
}

/** The first usable icon of `name`, as a data: URL, or null. */
export function findIcon(name: string, dataDirs: string[], home: string): string | null {
  for (const file of iconCandidates(name, dataDirs, home)) {
    const bytes = readSmallFile(file, MAX_ICON);
    const url = bytes === null ? null : iconDataUrl(bytes);
    if (url !== null) return url;
  }
  return null;
}
