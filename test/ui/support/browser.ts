// Debian's Chromium driven by playwright-core, and the renderer bundle built once per test file.

import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
export const REPO = resolve(import.meta.dirname, '../../..');
export const RENDERER_OUT = resolve(REPO, 'out/renderer');

export function chromiumMissingReason(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/** Builds src/renderer into out/renderer with the standalone config (quiet). */
export async function buildRenderer(): Promise<void> {
  await build({ configFile: resolve(REPO, 'vite.renderer.config.ts'), logLevel: 'warn' });
}
