/* global process, console, window, document, performance, requestAnimationFrame, location -- Node script; installHistory runs in the page */
// UI benchmark for the history (issue 13): the built renderer in headless Chromium (software
// rendering) with a scripted window.snitchmap whose history answers as serve does for a 24 h window
// of 100,000 connections: the newest UI_LIMIT (5,000) as JSON text parsed in the page, and the total.
// Measures (1) a window from the fragment change to the map and list showing it (the renderer's part
// of "ready on the map"; the store's part is bench/history-store.mjs), and (2) frame intervals while
// the brush is dragged across the timeline. Run after `npx electron-vite build` (out/renderer):
//   node bench/ui-history-bench.mjs [loads] [drags]
// Results go to bench/RESULTS.md by hand, with the machine, date and load.

import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './static-server.mjs';

const REPO = resolve(import.meta.dirname, '..');
const OUT = resolve(REPO, 'out/renderer');
const LOADS = Number(process.argv[2] ?? 7);
const DRAGS = Number(process.argv[3] ?? 5);
const SENT = 5_000;
const TOTAL = 100_000;
const LIVE = 2_000;

/** Runs in the page before the bundle: live connections, a day of timeline bins, a history answer as JSON text. */
function installHistory({ sent, total, live }) {
  const now = Date.now();
  const places = Array.from({ length: 1_000 }, (_, i) => ({ country: ['US', 'DE', 'JP', 'BR', 'IN', 'FR', 'AU', 'ZA'][i % 8], city: `City ${i}`, lat: ((i * 37) % 130) - 60, lon: ((i * 73) % 356) - 178 }));
  const make = (i, ts) => ({
    type: 'connection', event: 'close', id: `h${i}`, ts, proto: i % 5 === 0 ? 'udp' : 'tcp', direction: 'outbound', family: 4,
    local: { ip: '192.168.1.10', port: 30000 + (i % 30000) },
    remote: { ip: `198.51.${(i >> 8) & 255}.${i & 255}`, port: 443, host: `host${i % 3000}.example`, scope: 'internet', geo: places[i % places.length], asn: { number: 64500 + (i % 50), org: `Org ${i % 50}` } },
    process: { pid: 1000 + (i % 200), name: `proc${i % 200}`, exe: `/usr/bin/proc${i % 200}`, cmdline: `proc${i % 200} --flag`, uid: 1000, user: 'alice' },
    txBytes: 1000 + i, rxBytes: 10_000 + i, txPackets: 10, rxPackets: 10,
  });
  const day = 86_400_000;
  const answer = (window) => ({
    enabled: true, file: '/home/alice/.local/state/snitchmap/history.sqlite', notice: null, total, truncated: total > sent,
    connections: Array.from({ length: sent }, (_, i) => {
      const ts = window.to - i * 1000;
      return { ...make(i, ts), firstSeen: ts - 60_000, lastSeen: ts, windowTxBytes: 1000 + i, windowRxBytes: 10_000 + i, newHost: i % 97 === 0, newCountry: false };
    }),
  });
  let text = null;
  const bins = Array.from({ length: 96 }, (_, i) => ({ t: Math.floor((now - day) / 900_000) * 900_000 + i * 900_000, txBytes: 1e6 * (1 + (i % 7)), rxBytes: 1e7 * (1 + (i % 5)), opened: 1000 + i }));
  window.__history = { loads: [], frames: [], recording: false };
  window.snitchmap = {
    getSnapshot: async () => ({
      hello: { type: 'hello', version: 1, capture: 'ebpf', probes: {}, geoip: null, home: { lat: 48.86, lon: 2.35, label: 'Paris' } },
      connections: Array.from({ length: live }, (_, i) => ({ ...make(i, now), id: `l${i}`, event: 'open' })),
      stats: { type: 'stats', ts: now, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: live },
      status: { paused: false, capture: 'ebpf', banner: null },
    }),
    onDelta: () => () => undefined,
    pause: async () => {}, resume: async () => {}, clear: async () => {}, retryCapture: async () => {},
    getSettings: async () => ({ home: null, onlineTiles: { enabled: false, url: '', attribution: '' }, notifications: { newProcess: false, newCountry: false } }),
    updateSettings: async () => { throw new Error('not in the benchmark'); },
    // As serve answers: JSON text over the WebSocket, parsed in the page.
    getHistory: async (window) => {
      text ??= JSON.stringify(answer(window));
      return JSON.parse(text);
    },
    getTimeline: async (range) => ({ enabled: true, oldest: now - 30 * day, stepMs: range.stepMs, bins, notice: null }),
  };
  const frame = (t) => {
    if (window.__history.recording) window.__history.frames.push(t - window.__history.last);
    window.__history.last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;
const median = (values) => percentile(values, 50);

if (!existsSync(join(OUT, 'index.html'))) throw new Error('build the renderer first: npx electron-vite build');
const server = await serve(OUT);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.addInitScript(installHistory, { sent: SENT, total: TOTAL, live: LIVE });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('.row-process').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);

  // (1) Windows: set the fragment, wait until the timeline names the answer's count and a frame
  // has been drawn after it (map and list render in the same commit), then back to live.
  const loads = [];
  for (let r = 0; r < LOADS; r++) {
    const to = Date.now() - (r + 1) * 3_600_000;
    const from = to - 86_400_000;
    const ms = await page.evaluate(async ([fromIso, toIso]) => {
      const start = performance.now();
      location.hash = `from=${fromIso}&to=${toIso}`;
      for (;;) {
        await new Promise((done) => requestAnimationFrame(done));
        const shown = document.querySelector('[data-testid="timeline-window"]')?.textContent ?? '';
        if (shown.includes('of 100,000') && !shown.includes('loading')) return performance.now() - start;
      }
    }, [new Date(from).toISOString(), new Date(to).toISOString()]);
    loads.push(ms);
    await page.getByRole('button', { name: 'Live' }).click();
    await page.locator('[data-testid="timeline-window"]', { hasText: 'Live' }).waitFor();
    await page.waitForTimeout(300);
  }

  // (2) Brush drags across the Day span: frames between pointer down and up.
  const chart = await page.locator('[data-testid="timeline-chart"]').boundingBox();
  if (chart === null) throw new Error('no timeline chart');
  const y = chart.y + chart.height / 2;
  const frames = [];
  for (let d = 0; d < DRAGS; d++) {
    await page.mouse.move(chart.x + chart.width * 0.1, y);
    await page.evaluate(() => { window.__history.frames = []; window.__history.recording = true; });
    await page.mouse.down();
    for (let s = 1; s <= 60; s++) {
      await page.mouse.move(chart.x + chart.width * (0.1 + (0.8 * s) / 60), y);
      await page.waitForTimeout(16);
    }
    frames.push(...(await page.evaluate(() => { window.__history.recording = false; return window.__history.frames.slice(1); })));
    await page.mouse.up();
    await page.locator('[data-testid="timeline-window"]').filter({ hasText: 'connections' }).waitFor();
    await page.getByRole('button', { name: 'Live' }).click();
    await page.waitForTimeout(300);
  }
  console.log(JSON.stringify({
    machine: `${cpus().length} × ${cpus()[0]?.model}`, date: new Date().toISOString(), loadavg: loadavg().map((l) => l.toFixed(1)).join(' '),
    window: { sent: SENT, total: TOTAL, loads: loads.map((ms) => Math.round(ms)), medianMs: Math.round(median(loads)) },
    brushDrag: { frames: frames.length, p50: percentile(frames, 50).toFixed(1), p95: percentile(frames, 95).toFixed(1), max: Math.max(...frames).toFixed(1) },
  }, null, 2));
} finally {
  await browser.close();
  server.close();
}
