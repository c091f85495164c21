// End-to-end: the built renderer in Debian's Chromium, served with the production CSP, fed by a
// scripted window.snitchmap (snapshot + deltas).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Delta } from '../../src/shared/api.js';
import { slerpPath } from '../../src/renderer/src/model/great-circle.js';
import { BERLIN, HELLO, makeEvent, makeSnapshot, NEW_YORK, TOKYO } from './connection-fixtures.js';
import { gate } from '../support/gate.js';
import { buildRenderer, chromiumMissingReason, launchChromium, REPO, RENDERER_OUT } from './support/browser.js';
import { flowInk } from './support/flow-canvas.js';
import { screenPoint } from './support/map-geometry.js';
import { DEFAULT_SETTINGS, installScriptedApi } from './support/scripted-api.js';
import { waitFor } from '../support/wait-for.js';
import { serveDirectory, TILE_PNG, type StaticServer } from './support/static-server.js';

const ARTIFACTS = resolve(REPO, 'test-results');
const HOSTILE = '<img src=x>';
const TILE_HOST = 'https://tiles.snitchmap.test/';
const NOW = Date.now();

const connections = [
  makeEvent({ id: 'ff1', ts: NOW, process: { pid: 4242, name: 'firefox', exe: '/usr/lib/firefox/firefox' },
    host: 'example.org', ip: '203.0.113.10', geo: BERLIN, tx: 40_000, rx: 2_000_000 }),
  makeEvent({ id: 'ff2', ts: NOW, process: { pid: 4242, name: 'firefox', exe: '/usr/lib/firefox/firefox' },
    host: 'tokyo.example', ip: '203.0.113.20', geo: TOKYO, tx: 5_000, rx: 90_000 }),
  makeEvent({ id: 'evil', ts: NOW, process: { pid: 666, name: HOSTILE, exe: '/tmp/<b>x</b>', cmdline: '<script>alert(1)</script>' },
    host: '<b>bold</b>.example', ip: '198.51.100.66', geo: { ...NEW_YORK, city: 'New <i>York</i>' }, tx: 700, rx: 800 }),
  makeEvent({ id: 'ssh', ts: NOW, process: { pid: 22, name: 'sshd', exe: '/usr/sbin/sshd' }, direction: 'inbound',
    host: null, ip: '192.168.1.20', port: 22, scope: 'lan', geo: null, asn: null, tx: 3000, rx: 3000 }),
  makeEvent({ id: 'dns', ts: NOW, process: { pid: 300, name: 'systemd-resolve' }, proto: 'udp', port: 53,
    host: null, ip: '198.51.100.53', scope: 'internet', geo: null, asn: null, tx: 100, rx: 200 }),
];
const snapshot = { ...makeSnapshot(connections, NOW), hello: HELLO };

const chromium = gate('UI e2e', chromiumMissingReason());

describe.skipIf(chromium.skip)('renderer end-to-end (scripted window.snitchmap)', () => {
  let browser: Browser;
  let server: StaticServer;
  // Page errors (CSP violations included) of the current test's pages: each test checks its own,
  // so none depends on another having run before it.
  let errors: string[] = [];
  beforeEach(() => {
    errors = [];
  });
  afterEach(() => {
    expect(errors, 'page errors (CSP violations included)').toEqual([]);
  });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildRenderer();
    server = await serveDirectory(RENDERER_OUT);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(withApi = true): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // Without a scripted API the web transport tries the (absent) serve socket and the browser
    // logs each refused handshake; those pages are about that failure, not about page errors.
    page.on('console', (m) => {
      if (m.type() === 'error' && withApi) errors.push(m.text());
    });
    if (withApi) await page.addInitScript(installScriptedApi, { snapshot, settings: DEFAULT_SETTINGS });
    await page.goto(server.url);
    if (withApi) await page.locator('.row-process').first().waitFor();
    return page;
  }

  async function mapRect(page: Page) {
    const box = await page.locator('.map').boundingBox();
    if (box === null) throw new Error('map has no box');
    return box;
  }

  /** Mean colour of the opaque flow pixels around a point (arcs: blue when active, green while pulsing). */
  async function flowColour(page: Page, x: number, y: number, r = 3): Promise<{ r: number; g: number; b: number } | null> {
    return page.evaluate(({ x, y, r }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('.leaflet-flows-pane canvas');
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return null;
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const data = context.getImageData(Math.round((x - rect.left) * scale) - r, Math.round((y - rect.top) * scale) - r,
        2 * r + 1, 2 * r + 1).data;
      const sum = { r: 0, g: 0, b: 0, n: 0 };
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i + 3] ?? 0) <= 40) continue;
        sum.r += data[i] ?? 0;
        sum.g += data[i + 1] ?? 0;
        sum.b += data[i + 2] ?? 0;
        sum.n += 1;
      }
      return sum.n === 0 ? null : { r: sum.r / sum.n, g: sum.g / sum.n, b: sum.b / sum.n };
    }, { x, y, r });
  }

  async function hoverTooltip(page: Page, lat: number, lon: number): Promise<string | null> {
    const p = screenPoint(await mapRect(page), lat, lon);
    const tooltip = page.locator('.map-tooltip');
    // Leaflet's canvas hit-tests on mousemove at most once per 32 ms: nudge the pointer until it
    // did (the tooltip shows) or 1.5 s passed (there is nothing there).
    const shown = await waitFor(async () => {
      await page.mouse.move(p.x, p.y);
      await page.mouse.move(p.x + 1, p.y);
      return (await tooltip.count()) > 0;
    }, { what: `a tooltip at ${lat},${lon}`, timeout: 1500, interval: 40 }).catch(() => false);
    const text = shown ? await tooltip.textContent() : null;
    await waitFor(async () => {
      await page.mouse.move(5, 5);
      await page.mouse.move(6, 5);
      return (await tooltip.count()) === 0;
    }, { what: 'the tooltip to go', timeout: 1500, interval: 40 });
    return text;
  }

  it('says clearly when no preload gave an API and serve cannot be reached', async () => {
    const page = await openPage(false);
    await page.getByRole('alert').getByText('cannot reach snitchmap serve').waitFor();
    await page.close();
  });

  it('shows rows, markers, arcs, zones and the home marker from the snapshot', async () => {
    const page = await openPage();
    const processes = await page.locator('.row-process .process-name').allTextContents();
    expect(processes).toEqual(['firefox', 'sshd', HOSTILE, 'systemd-resolve']);
    expect(await page.locator('.row-host .host-name').allTextContents()).toContain('example.org');
    await page.getByText('Home: Paris').waitFor();
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-overview.png') });
    await page.getByText('Private network').waitFor();
    await page.getByText('Unknown location').waitFor();
    expect(await hoverTooltip(page, BERLIN.lat, BERLIN.lon)).toContain('Berlin, DE');
    expect(await hoverTooltip(page, TOKYO.lat, TOKYO.lon)).toContain('Tokyo, JP');
    // An arc: ink halfway along the great circle from home (Paris) to New York, where no marker is.
    const mid = slerpPath(HELLO.home, NEW_YORK, 2)[1]!;
    const rect = await mapRect(page);
    const onArc = screenPoint(rect, mid.lat, mid.lon);
    expect(await flowInk(page, onArc.x, onArc.y)).toBeGreaterThan(0);
    const emptySea = screenPoint(rect, -40, -100);
    expect(await flowInk(page, emptySea.x, emptySea.y)).toBe(0);
    await expect(page.locator('.status-bar').textContent()).resolves.toMatch(/capture: ebpf.*tc tcx/);
    await expect(page.getByRole('link', { name: 'IP Geolocation by DB-IP' }).first().getAttribute('href'))
      .resolves.toBe('https://db-ip.com');
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-overview.png') });
    await page.close();
  });

  it('renders hostile names as text and creates no element from them', async () => {
    const page = await openPage();
    await page.getByText(HOSTILE, { exact: true }).first().waitFor();
    // The only images the page may ever have are map tiles, and those are off here.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#root b, #root i, #root script').count()).toBe(0);
    await page.locator('.row-process', { hasText: HOSTILE }).click();
    await expect(page.locator('.details').textContent()).resolves.toContain('<script>alert(1)</script>');
    expect(await hoverTooltip(page, NEW_YORK.lat, NEW_YORK.lon)).toContain('New <i>York</i>, US');
    expect(await page.locator('img, #root b, #root i, #root script, .leaflet-container i').count()).toBe(0);
    await page.close();
  });

  it('filters the list (and the map) by search, protocol, direction and scope', async () => {
    const page = await openPage();
    const names = () => page.locator('.row-process .process-name').allTextContents();
    await page.getByLabel('Protocol').selectOption('udp');
    expect(await names()).toEqual(['systemd-resolve']);
    await page.getByLabel('Protocol').selectOption('');
    await page.getByLabel('Direction').selectOption('inbound');
    expect(await names()).toEqual(['sshd']);
    await page.getByLabel('Direction').selectOption('');
    await page.getByLabel('Scope').selectOption('local');
    expect(await names()).toEqual(['sshd']);
    await page.getByLabel('Scope').selectOption('');
    await page.getByLabel('Country').selectOption('JP');
    expect(await page.locator('.row-host .host-name').allTextContents()).toEqual(['tokyo.example']);
    expect(await hoverTooltip(page, BERLIN.lat, BERLIN.lon)).toBeNull();
    await page.getByRole('button', { name: 'Reset filters' }).click();
    await page.getByLabel('Search connections').fill('tokyo');
    expect(await page.locator('.row-host .host-name').allTextContents()).toEqual(['tokyo.example']);
    await page.close();
  });

  it("selecting a process shows only its servers; clicking a place filters the list", async () => {
    const page = await openPage();
    await page.locator('.row-process', { hasText: 'sshd' }).click();
    await expect(page.locator('.details').textContent()).resolves.toMatch(/PID22.*Executable\/usr\/sbin\/sshd/);
    expect(await hoverTooltip(page, BERLIN.lat, BERLIN.lon)).toBeNull();
    await page.locator('.row-process', { hasText: 'firefox' }).click();
    expect(await hoverTooltip(page, TOKYO.lat, TOKYO.lon)).toContain('Tokyo');
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-process-selected.png') });
    await page.keyboard.press('Escape');
    await page.locator('.connection-list').press('Escape');
    const p = screenPoint(await mapRect(page), BERLIN.lat, BERLIN.lon);
    await page.mouse.click(p.x, p.y);
    await page.getByRole('button', { name: /Remove place filter Berlin, DE/ }).waitFor();
    expect(await page.locator('.row-process .process-name').allTextContents()).toEqual(['firefox']);
    await page.close();
  });

  it('applies deltas: new rows, pulses, stats, banner with Retry, pause/resume/clear', async () => {
    const page = await openPage();
    const delta: Delta = {
      events: [
        makeEvent({ id: 'new', ts: Date.now(), process: { pid: 77, name: 'wget' }, host: 'new.example', geo: TOKYO, tx: 10, rx: 10 }),
        makeEvent({ id: 'ff1', event: 'update', ts: Date.now() + 1000, process: { pid: 4242, name: 'firefox' },
          host: 'example.org', ip: '203.0.113.10', geo: BERLIN, tx: 80_000, rx: 4_000_000 }),
      ],
      stats: { type: 'stats', ts: Date.now(), eventsLost: 3, flowsEvicted: 0, unattributed: 2, connections: 6 },
      status: { paused: false, capture: 'ebpf', banner: { kind: 'warning', message: 'helper exited', canRetry: true } },
    };
    const mid = slerpPath(HELLO.home, TOKYO, 2)[1]!;
    let onArc = screenPoint(await mapRect(page), mid.lat, mid.lon);
    const before = await flowColour(page, onArc.x, onArc.y);
    expect(before !== null && before.b > before.g).toBe(true);
    await page.evaluate((d) => window.__test.push(d), delta);
    await page.locator('.row-process', { hasText: 'wget' }).waitFor();
    // The banner shrank the map; Leaflet keeps the same centre in the middle of the new box.
    onArc = screenPoint(await mapRect(page), mid.lat, mid.lon);
    // Bytes moved to Tokyo: its arc flashes green, then returns to the active style.
    await expect.poll(async () => {
      const c = await flowColour(page, onArc.x, onArc.y);
      return c !== null && c.g > c.b + 40;
    }, { timeout: 600, interval: 30 }).toBe(true);
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-pulse.png') });
    await expect.poll(async () => {
      const c = await flowColour(page, onArc.x, onArc.y);
      return c !== null && c.b > c.g;
    }, { timeout: 2000, interval: 100 }).toBe(true);
    await expect(page.locator('.status-bar').textContent()).resolves.toMatch(/lost 3.*unattributed 2/);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.evaluate(() => window.__test.push({ events: [], status: { paused: true, capture: 'ebpf', banner: null } }));
    await page.getByText('❚❚ paused').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.evaluate(() => window.__test.push({ events: [], cleared: true }));
    await page.getByText('No connections match.').waitFor();
    expect(await page.evaluate(() => window.__test.calls.filter((c) => c !== 'getSnapshot')))
      .toEqual(['retryCapture', 'pause', 'resume', 'clear']);
    await page.close();
  });

  it('navigates the list with the keyboard', async () => {
    const page = await openPage();
    const list = page.locator('.connection-list');
    await list.focus();
    await list.press('ArrowDown');
    const active = async () => page.locator('.row-active').textContent();
    await expect(active()).resolves.toContain('firefox');
    await list.press('ArrowDown');
    await expect(active()).resolves.toContain('example.org');
    await expect(page.locator('.details h3').first().textContent()).resolves.toBe('example.org');
    await list.press('ArrowUp');
    await list.press('Enter');
    expect(await page.locator('.row-process', { hasText: 'firefox' }).getAttribute('aria-expanded')).toBe('false');
    await list.press('ArrowRight');
    expect(await page.locator('.row-process', { hasText: 'firefox' }).getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-keyboard.png') });
    await page.close();
  });

  it('opens About with the attributions, and sets home from the map menu', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'About' }).click();
    const about = page.getByRole('dialog');
    await expect(about.textContent()).resolves.toMatch(/DB-IP.*CC BY 4.0.*Natural Earth.*public domain.*Leaflet.*BSD 2-Clause/s);
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-about.png') });
    await about.getByRole('button', { name: 'Close' }).click();
    const p = screenPoint(await mapRect(page), -30, -60);
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.getByRole('button', { name: /Set home here/ }).click();
    await page.getByText('Home: Home').waitFor();
    expect(await page.evaluate(() => window.__test.calls.some((c) => c.startsWith('updateSettings:{"home"')))).toBe(true);
    await page.close();
  });

  it('saves home and online tiles from Settings; tile attribution stays text', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Latitude').fill('95');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('within ±90');
    await dialog.getByLabel('Latitude').fill('-33.87');
    await dialog.getByLabel('Longitude').fill('151.21');
    await dialog.getByLabel('Label', { exact: true }).fill('Lab');
    await dialog.getByLabel('Use online tiles').check();
    await dialog.getByLabel('Attribution').fill('<b>Tiles</b> © Test');
    // The form applies the backend's rules (src/shared/settings.ts): plain http tiles are refused.
    await dialog.getByLabel('URL template').fill(`${server.url}tiles/{z}/{x}/{y}.png`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('https');
    // An https tile server, answered inside the browser (nothing leaves the machine).
    await page.route(`${TILE_HOST}**`, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: TILE_PNG }));
    await dialog.getByLabel('URL template').fill(`${TILE_HOST}{z}/{x}/{y}.png`);
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-settings.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Home: Lab').waitFor();
    await page.locator('img.leaflet-tile-loaded').first().waitFor();
    await expect(page.locator('.leaflet-control-attribution').textContent()).resolves.toContain('<b>Tiles</b> © Test');
    expect(await page.locator('.leaflet-control-attribution b').count()).toBe(0);
    const tileSources = await page.locator('img.leaflet-tile').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    expect(tileSources.length).toBeGreaterThan(0);
    expect(tileSources.every((src) => src.startsWith(TILE_HOST))).toBe(true);
    await page.close();
  });

  it('loads the 1:50m basemap chunk when zoomed in, under the CSP', async () => {
    const page = await openPage();
    const detailed = page.waitForResponse((r) => r.url().includes('countries-50m') && r.ok());
    await page.locator('.map[data-basemap="coarse"]').waitFor();
    // Leaflet drops a zoom click made while the previous zoom animates: each waits for the last to settle.
    for (const zoom of [3, 4, 5]) {
      await page.locator('.leaflet-control-zoom-in').click();
      await page.locator(`.map[data-zoom="${zoom}"]`).waitFor();
    }
    await detailed;
    await page.locator('.map[data-basemap="detailed"]').waitFor();
    await page.screenshot({ path: resolve(ARTIFACTS, 'ui-zoomed.png') });
    await page.close();
  });

});
