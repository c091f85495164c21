// Writes snitchmap's PNG icons (no image tools needed): the app icon at the sizes Linux desktops
// look up (png/NxN.png) and the four tray states at 22 px plus @2x. Run: node resources/icons/make-icons.mjs
// The PNGs are committed; rerun only when the drawing changes.

import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels (size × size × 4) → PNG file bytes. */
export function encodePng(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const hex = (colour) => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));

/** A globe: filled disc, a ring, one meridian and the equator, and a coloured "connection" dot. */
function drawGlobe(size, { disc, line, dot }) {
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  const radius = size * 0.46;
  const stroke = Math.max(1, size / 16);
  const put = (x, y, [r, g, b], alpha) => {
    const i = (y * size + x) * 4;
    const a = alpha / 255;
    const under = pixels[i + 3] / 255;
    const out = a + under * (1 - a);
    if (out === 0) return;
    for (const [k, v] of [r, g, b].entries()) pixels[i + k] = Math.round((v * a + pixels[i + k] * under * (1 - a)) / out);
    pixels[i + 3] = Math.round(out * 255);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - centre;
      const dy = y - centre;
      const d = Math.hypot(dx, dy);
      const edge = Math.min(1, Math.max(0, radius - d + 0.5));
      if (edge <= 0) continue;
      if (disc) put(x, y, hex(disc), 255 * edge);
      const ring = Math.abs(d - (radius - stroke / 2)) < stroke / 2;
      const meridian = Math.abs(Math.hypot(dx * 2.2, dy) - (radius - stroke)) < stroke * 0.8;
      const equator = Math.abs(dy) < stroke / 2;
      if (ring || meridian || equator) put(x, y, hex(line), 255 * edge);
      const dotDistance = Math.hypot(x - centre - radius * 0.42, y - centre + radius * 0.42);
      const dotEdge = Math.min(1, Math.max(0, radius * 0.3 - dotDistance + 0.5));
      if (dotEdge > 0) put(x, y, hex(dot), 255 * dotEdge);
    }
  }
  return pixels;
}

function write(path, size, style) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, drawGlobe(size, style)));
}

const APP = { disc: '#16324f', line: '#8fd3ff', dot: '#ff5a4e' };
export const TRAY_STATES = {
  live: { disc: null, line: '#d8dee9', dot: '#2ecc71' },
  paused: { disc: null, line: '#d8dee9', dot: '#9aa0a6' },
  degraded: { disc: null, line: '#d8dee9', dot: '#f5a623' },
  error: { disc: null, line: '#d8dee9', dot: '#e74c3c' },
};
export const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const size of APP_SIZES) write(join(here, 'png', `${size}x${size}.png`), size, APP);
  for (const [state, style] of Object.entries(TRAY_STATES)) {
    write(join(here, 'tray', `${state}.png`), 22, style);
    write(join(here, 'tray', `${state}@2x.png`), 44, style);
  }
  process.stdout.write(`icons written under ${here}\n`);
}
