// End-to-end (issue 14): the built renderer in Debian's Chromium under the production CSP, fed a
// snapshot whose connections carry apps and whose icons were resolved by the engine's DesktopNames
// from a fixture data dir (XDG_DATA_DIRS). The list groups by app, shows the icon, names the app's
// processes; details show parents and the container; icons that are not PNG/SVG data URLs are refused.

import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopNames } from '../../src/core/apps/desktop-names.js';
import { appOf } from '../../src/core/apps/app-from-cgroup.js';
import { makeEvent, makeSnapshot } from './connection-fixtures.js';
import { buildRenderer, chromiumMissingReason, launchChromium, REPO } from './support/browser.js';
import { DEFAULT_SETTINGS, installScriptedApi } from './support/scripted-api.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { RENDERER_OUT } from './support/browser.js';

const FIXTURE = resolve(REPO, 'test/unit/core/fixtures/xdg-data');
const names = new DesktopNames({ env: { XDG_DATA_DIRS: FIXTURE, XDG_DATA_HOME: join(FIXTURE, 'home-share') }, home: '/nonexistent' });
const NOW = Date.now();
const HEX = 'a3f9c2e1b4d5' + '0'.repeat(52);
const firefoxApp = names.nameApp(appOf('/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-2345.scope', '/app/lib/firefox/firefox-bin', 'firefox-bin'), '/app/lib/firefox/firefox-bin');
const transferApp = names.nameApp(appOf('/user.slice/user-1000.slice/session-2.scope', '/usr/bin/curl', 'curl'), '/usr/bin/curl');
const containerApp = names.nameApp(appOf(`/system.slice/docker-${HEX}.scope`, '/usr/bin/wget', 'wget'), '/usr/bin/wget');
const parents = [{ pid: 2000, name: 'bwrap' }, { pid: 1999, name: 'systemd' }];

const connections = [
  makeEvent({ id: 'ff1', ts: NOW, process: { pid: 4242, name: 'firefox-bin', exe: '/app/lib/firefox/firefox-bin', app: firefoxApp, parents }, tx: 40_000, rx: 2_000_000 }),
  makeEvent({ id: 'ff2', ts: NOW, process: { pid: 4243, name: 'Socket Process', exe: '/app/lib/firefox/firefox-bin', app: firefoxApp, parents: [{ pid: 4242, name: 'firefox-bin' }, ...parents] }, host: 'tokyo.example', ip: '203.0.113.20', tx: 5_000, rx: 90_000 }),
  makeEvent({ id: 'curl', ts: NOW, process: { pid: 500, name: 'curl', app: transferApp }, host: 'files.example', ip: '203.0.113.30', tx: 700, rx: 800 }),
  makeEvent({ id: 'wget', ts: NOW, process: { pid: 600, name: 'wget', exe: '/usr/bin/wget', app: containerApp, cgroup: `/system.slice/docker-${HEX}.scope`, parents: [{ pid: 590, name: 'sh' }] }, host: 'mirror.example', ip: '203.0.113.40', tx: 300, rx: 300 }),
];
const icons: Record<string, string> = {
  'org.mozilla.firefox': names.iconOf('org.mozilla.firefox')!,
  // Refused by the renderer: not a PNG or SVG data URL.
  transfer: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
};
const snapshot = { ...makeSnapshot(connections, NOW), appIcons: icons };

const chromiumSkip = chromiumMissingReason();
if (chromiumSkip !== null && process.env.CI === 'true') throw new Error(`UI e2e cannot run in CI: ${chromiumSkip}`);

describe.skipIf(chromiumSkip !== null)('renderer groups connections by app', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(firefoxApp).toMatchObject({ kind: 'flatpak', name: 'Firefox Web Browser', desktop: 'org.mozilla.firefox' });
    expect(icons['org.mozilla.firefox']).toMatch(/^data:image\/svg\+xml;base64,/);
    await buildRenderer();
    server = await serveDirectory(RENDERER_OUT);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.addInitScript(installScriptedApi, { snapshot, settings: DEFAULT_SETTINGS });
    await page.goto(server.url);
    await page.locator('.row-process').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists one row per app, with the desktop name, its process count and its icon drawn', async () => {
    const rows = page.locator('.row-process');
    expect(await rows.count()).toBe(3);
    const firefox = page.locator('.row-process', { hasText: 'Firefox Web Browser' });
    await expect.poll(() => firefox.count()).toBe(1);
    expect(await firefox.locator('.row-meta').first().textContent()).toBe('2 processes');
    const icon = firefox.locator('img.app-icon');
    await icon.waitFor();
    // Decoded and drawn under the CSP: a data: image has a natural size.
    await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await firefox.locator('.process-name').getAttribute('title')).toBe('firefox-bin (4242), Socket Process (4243)');
  });

  it('names the container and the desktop-entry program; refuses an icon that is not an image data URL', async () => {
    await expect.poll(() => page.locator('.row-process', { hasText: 'container a3f9c2e1b4d5' }).count()).toBe(1);
    const transfer = page.locator('.row-process', { hasText: 'Transfer Tool' });
    expect(await transfer.count()).toBe(1);
    expect(await transfer.locator('img').count()).toBe(0);
    expect(await page.locator('img[src^="data:text"]').count()).toBe(0);
  });

  it('shows the processes and their parents, and the container, in the details', async () => {
    await page.locator('.row-process', { hasText: 'Firefox Web Browser' }).click();
    const details = page.locator('.details');
    await expect.poll(() => details.locator('h3', { hasText: 'Processes (2)' }).count()).toBe(1);
    expect(await details.textContent()).toContain('started by firefox-bin (4242) ← bwrap (2000) ← systemd (1999)');
    expect(await details.textContent()).toContain('Flatpak org.mozilla.firefox');
    await page.locator('.row-process', { hasText: 'container a3f9c2e1b4d5' }).click();
    await expect.poll(() => details.textContent()).toContain('container a3f9c2e1b4d5 (docker)');
    expect(await details.textContent()).toContain(`/system.slice/docker-${HEX}.scope`);
    expect(await details.textContent()).toContain('sh (590)');
    expect(errors).toEqual([]);
  });
});
