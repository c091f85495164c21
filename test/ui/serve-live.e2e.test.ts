// End-to-end against the real thing: `bin/snitchmap serve` with eBPF capture, the built renderer
// (out/renderer, with the web transport) in Chromium. A client process in the host namespace
// talks to a server inside a test namespace; its connection must appear in the list and on the
// map, placed by a --locations file. Runs after the lead merged every part (kernel, core, cli, app).

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import { waitFor, waitForExit } from '../support/wait-for.js';
import { kernelUnavailableReason } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { chromiumMissingReason, launchChromium, REPO } from './support/browser.js';
import { screenPoint } from './support/map-geometry.js';

const CLI = resolve(REPO, 'dist/src/cli/main.js');
const requirements = gate('serve + live capture e2e',
  kernelUnavailableReason([CLI, resolve(REPO, 'native/build/Release/snitchmap.node'), resolve(REPO, 'out/renderer/index.html')]),
  chromiumMissingReason());

/** Where the locations file puts the namespace's address: Sydney, far from the zones and from home. */
const LAB = { label: 'Namespace Lab', lat: -33.87, lon: 151.21 };
const PORT = 47_913;

const SERVER_JS = `
const net = require('node:net');
net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => {}); })
  .listen(${PORT}, process.argv[1], () => console.log('listening'));`;
const CLIENT_JS = `
const net = require('node:net');
const s = net.connect(${PORT}, process.argv[1], () => {
  console.log('connected');
  setInterval(() => s.write(Buffer.alloc(2048, 120)), 200);
});
s.on('data', () => {});`;

function firstLine(child: ChildProcess, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((done, fail) => {
    if (child.stdout === null) return fail(new Error(`${what}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => fail(new Error(`${what}: no output within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      done(line);
    });
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before printing; stderr: ${stderr}`)));
  });
}

describe.skipIf(requirements.skip)('snitchmap serve + live capture in the browser', () => {
  let net: TestNet;
  let dir: string;
  let server: ChildProcess;
  let client: ChildProcess;
  let serve: ChildProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    net = createTestNet('ui');
    dir = mkdtempSync(join(tmpdir(), 'snitchmap-ui-'));
    // serve started as root reads its input files after dropping to nobody (no SUDO_UID here): the
    // file must be readable by that user, as a user's own file is under sudo.
    chmodSync(dir, 0o755);
    const locations = join(dir, 'locations.json');
    writeFileSync(locations, JSON.stringify([{ cidr: `${net.nsIp4}/32`, ...LAB }]), { mode: 0o644 });
    server = net.spawn('node', ['-e', SERVER_JS, net.nsIp4], { stdio: ['ignore', 'pipe', 'pipe'] });
    await firstLine(server, 'namespace server');
    serve = spawn('node', [CLI, 'serve', '--locations', locations], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: dir },
    });
    url = await firstLine(serve, 'snitchmap serve', 60_000);
    browser = await launchChromium();
    client = spawn('node', ['-e', CLIENT_JS, net.nsIp4], { stdio: ['ignore', 'pipe', 'pipe'] });
    await firstLine(client, 'client');
  });

  afterAll(async () => {
    await browser?.close();
    // SIGTERM, and SIGKILL only for a child that has not exited 5 s later (waited for, not slept on).
    await Promise.all([client, serve, server].filter((child) => child !== undefined).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await waitForExit(child, { timeout: 5000, what: 'a child to exit on SIGTERM' }).catch(() => child.kill('SIGKILL'));
    }));
    net?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('prints a 127.0.0.1 URL with a token first', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/);
  });

  it("shows the client's connection in the list, in the details and at its place on the map", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByLabel('Search connections').fill(net.nsIp4);
    const host = page.locator('.row-host', { hasText: net.nsIp4 });
    await host.waitFor({ timeout: 30_000 });
    const processRow = page.locator('.row-process').first();
    await expect(processRow.textContent()).resolves.toContain(`pid ${client.pid}`);
    await host.click();
    const details = await page.locator('.details').textContent();
    expect(details).toContain(net.nsIp4);
    expect(details).toContain(String(PORT));
    expect(details).toContain(LAB.label);
    // On the map: hovering the place from the locations file names it.
    const box = await page.locator('.map').boundingBox();
    if (box === null) throw new Error('map has no box');
    const p = screenPoint(box, LAB.lat, LAB.lon);
    // Leaflet hit-tests the canvas at most once per 32 ms: nudge the pointer until the tooltip shows.
    await waitFor(async () => {
      await page.mouse.move(p.x, p.y);
      await page.mouse.move(p.x + 1, p.y);
      return (await page.locator('.map-tooltip').count()) > 0;
    }, { what: `the tooltip of ${LAB.label}`, timeout: 5000, interval: 40 });
    await expect(page.locator('.map-tooltip').textContent()).resolves.toContain(LAB.label);
    await page.screenshot({ path: resolve(REPO, 'test-results/ui-serve-live.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
