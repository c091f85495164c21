// Fleet mode end to end: two snitchmap instances (`watch --metrics`, run as the unprivileged user
// `nobody`, so they use the /proc source and touch no kernel) are scraped by one real Prometheus
// under the instance labels host-a and host-b, plus host-c, a target where nothing listens. host-a
// says where it is itself (`--home`, exported as snitchmap_home_info); host-b's place comes from
// serve's --fleet-homes file; host-c has none. A process of `nobody` with a name of its own holds a
// TCP connection on loopback, so both instances see it (the map's "Private network" zone).
// `serve --fleet PROMETHEUS --fleet-homes FILE` in Chromium must list that process on both hosts,
// draw its arcs from each host's own home and none from serve's own, list the three hosts with
// their homes (host-c: none), say "2 up, 1 down" in the status bar, and keep only host-b's home and
// arcs under the Host filter.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slerpPath } from '../../src/renderer/src/model/great-circle.js';
import { ZONES } from '../../src/renderer/src/model/zones.js';
import { json, watchLines } from '../kernel/fixtures/watch-lines.js';
import { freePort, prometheusGate, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { buildRenderer, chromiumMissingReason, launchChromium, REPO } from './support/browser.js';
import { flowInk } from './support/flow-canvas.js';
import { screenPoint } from './support/map-geometry.js';

const CLI = resolve(REPO, 'dist/src/cli/main.js');
const NOBODY = 65534;
const NEW_YORK = { lat: 40.71, lon: -74.01 };
const CAPE_TOWN = { lat: -33.92, lon: 18.42 };
/** serve's own home: no fleet host is there, so no arc may leave it. */
const SERVE_HOME = { lat: 60.17, lon: 24.94 };
const promGate = prometheusGate();
const chromiumSkip = chromiumMissingReason();
if (chromiumSkip !== null && process.env.CI === 'true') throw new Error(`UI e2e cannot run in CI: ${chromiumSkip}`);
const notRoot = process.getuid?.() !== 0;
if (notRoot && process.env.CI === 'true') throw new Error('fleet e2e needs root (it runs snitchmap as nobody)');

describe.skipIf(promGate.skip || chromiumSkip !== null || notRoot)('serve --fleet over Prometheus in the browser', () => {
  const tag = process.pid.toString(36);
  const name = `smfleet${tag}`.slice(0, 15);
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  let dir: string;
  let server: Server;
  let prometheus: RunningPrometheus;
  let browser: Browser;
  let url: string;

  async function watchAsNobody(home: string[]): Promise<string> {
    const config = mkdtempSync(join(dir, 'config-'));
    chmodSync(config, 0o777);
    const watch = spawn(process.execPath, [CLI, 'watch', '--json', '--metrics', '127.0.0.1:0', ...home], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: dir,
      env: { ...process.env, HOME: config, XDG_CONFIG_HOME: config, TZ: 'Etc/UTC' },
    });
    children.push(watch);
    const out = watchLines(watch);
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
    const metrics = /metrics on (http:\/\/\S+)/.exec(out.stderr())?.[1];
    if (metrics === undefined) throw new Error(`no metrics URL: ${out.stderr()}`);
    return new URL(metrics).host;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sm-fleet-'));
    chmodSync(dir, 0o777);
    server = createServer((socket) => void sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    // host-a knows where it is; host-b (TZ=Etc/UTC: no usable zone, so it exports no place) does not.
    const [a, b] = await Promise.all([watchAsNobody(['--home', `${NEW_YORK.lat},${NEW_YORK.lon}`]), watchAsNobody([])]);
    // bash through a symlink: its comm is the link's name. `read` is a builtin, so bash itself
    // holds the socket (no child inherits it) until the test ends.
    const link = join(dir, name);
    symlinkSync('/bin/bash', link);
    const holder = spawn(link, ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; read -t 600 <&3`], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    children.push(holder);
    prometheus = await startPrometheus([
      { address: a, instance: 'host-a' },
      { address: b, instance: 'host-b' },
      { address: `127.0.0.1:${await freePort()}`, instance: 'host-c' },
    ]);
    await prometheus.waitFor('both hosts saw the holder', `snitchmap_connections_total{process="${name}"}`, (r) => {
      const hosts = new Set(r.map((s) => s.metric.instance));
      return hosts.has('host-a') && hosts.has('host-b') ? true : undefined;
    });
    await prometheus.waitFor('host-c down', 'up{instance="host-c"} == 0', (r) => (r.length === 1 ? true : undefined));
    const homes = join(dir, 'homes');
    mkdirSync(homes);
    writeFileSync(join(homes, 'fleet-homes.json'), JSON.stringify([{ instance: 'host-b', label: 'Cape Town lab', ...CAPE_TOWN }]));
    await buildRenderer();
    const serve = spawn(process.execPath, [CLI, 'serve', '--fleet', prometheus.url, '--fleet-homes', join(homes, 'fleet-homes.json'), '--home', `${SERVE_HOME.lat},${SERVE_HOME.lon}`], {
      env: { ...process.env, XDG_CONFIG_HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(serve);
    url = await watchLines(serve).waitFor('serve URL', (line) => (line.startsWith('http://') ? line : undefined));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await prometheus?.stop();
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)));
    for (const socket of sockets) socket.destroy();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Ink on the flows canvas halfway along the great circle from `from` to the Private network zone. */
  async function arcInkFrom(page: Page, from: { lat: number; lon: number }): Promise<number> {
    const mid = slerpPath(from, ZONES.private, 2)[1];
    const box = await page.locator('.map').boundingBox();
    if (mid === undefined || box === null) throw new Error('no arc midpoint or map box');
    const point = screenPoint(box, mid.lat, mid.lon);
    return flowInk(page, point.x, point.y);
  }

  it("lists the process on both hosts, draws each host's arcs from its own home, and the Host filter keeps one host's", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${e.message} ${e.stack ?? ''}`));
    await page.goto(url);
    await page.getByLabel('Search connections').fill(name);
    const rows = page.locator('[role="treeitem"][aria-level="1"]', { hasText: name });
    await rows.nth(1).waitFor({ timeout: 30_000 });
    const texts = await rows.allTextContents();
    expect(texts.some((t) => t.includes('on host-a'))).toBe(true);
    expect(texts.some((t) => t.includes('on host-b'))).toBe(true);

    // The hosts, each with its own home; host-c has none and says so.
    const hosts = page.getByRole('region', { name: 'Hosts' });
    await expect.poll(async () => (await hosts.locator('li').allTextContents()).join('\n'), { timeout: 15_000 }).toMatch(/host-c.*no home/);
    const listed = await hosts.locator('li').allTextContents();
    expect(listed).toEqual([
      expect.stringMatching(/^● uphost-aHome \(40\.71, -74\.01\)scraped \d+ s ago$/),
      expect.stringMatching(/^● uphost-bCape Town lab \(-33\.92, 18\.42\)scraped \d+ s ago$/),
      expect.stringMatching(/^✕ downhost-cno home: not on the map/),
    ]);
    // The status bar describes the fleet, not a capture on this machine.
    const status = page.locator('.status-bar');
    await expect(status.textContent()).resolves.toMatch(/fleet: 3 hosts.*hosts 2 up, 1 down.*oldest scrape \d+ s ago.*query errors 0.*without home 1/);
    await expect(status.textContent()).resolves.not.toMatch(/capture:|missing/);

    // One home marker per placed host, arcs from each of them, none from serve's own home.
    expect((await page.locator('.home-label').allTextContents()).sort()).toEqual(['host-a: Home', 'host-b: Cape Town lab']);
    await expect.poll(() => arcInkFrom(page, NEW_YORK), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await arcInkFrom(page, CAPE_TOWN)).toBeGreaterThan(0);
    expect(await arcInkFrom(page, SERVE_HOME)).toBe(0);
    await page.screenshot({ path: resolve(REPO, 'test-results/ui-fleet.png') });

    await page.getByRole('combobox', { name: 'Host', exact: true }).selectOption('host-b');
    await expect.poll(async () => (await rows.allTextContents()).map((t) => t.includes('on host-b')), { timeout: 10_000 }).toEqual([true]);
    await expect.poll(() => page.locator('.home-label').allTextContents(), { timeout: 10_000 }).toEqual(['host-b: Cape Town lab']);
    await expect.poll(() => arcInkFrom(page, NEW_YORK), { timeout: 10_000 }).toBe(0);
    expect(await arcInkFrom(page, CAPE_TOWN)).toBeGreaterThan(0);
    await page.screenshot({ path: resolve(REPO, 'test-results/ui-fleet-host-b.png') });
    await expect(hosts.getByRole('button', { name: /host-b/ }).getAttribute('aria-pressed')).resolves.toBe('true');

    // A host is picked from the Hosts panel too, a down one without entries included: nothing is left.
    await hosts.getByRole('button', { name: /host-c/ }).click();
    await expect(page.getByRole('combobox', { name: 'Host', exact: true }).inputValue()).resolves.toBe('host-c');
    await page.getByText('No connections match.').waitFor();
    await expect.poll(() => page.locator('.home-label').count(), { timeout: 10_000 }).toBe(0);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
