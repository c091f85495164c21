/* global process, console, window, document, performance, requestAnimationFrame, setInterval, PerformanceObserver -- Node script; installLoad runs in the page */
// UI benchmark: the built renderer in headless Chromium (software rendering) with 5,000 remote
// locations and 20,000 connections, fed 4 deltas per second by a scripted window.snitchmap.
// Reports frame intervals (p50/p95/p99), main-thread time per update batch (CDP TaskDuration and
// ScriptDuration), long tasks and page memory. Run: node bench/ui-map-bench.mjs [seconds] [zoom]
// (it builds out/renderer first). SCREENSHOT=file.png saves the page at the end of the run. Results go to bench/RESULTS.md by hand, with the machine and date.

import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './static-server.mjs';
import { build } from 'vite';

const REPO = resolve(import.meta.dirname, '..');
const OUT = resolve(REPO, 'out/renderer');
const SECONDS = Number(process.argv[2] ?? 20);
const ZOOM = process.argv[3] === undefined ? null : Number(process.argv[3]);
const LOCATIONS = 5_000;
const CONNECTIONS = 20_000;
const PROCESSES = 250;
const BATCH_MS = 250;
/** Per batch: this share of connections moves bytes, plus opens and closes. */
const UPDATES_PER_BATCH = 2_000;
const OPENS_PER_BATCH = 40;

/** Runs in the page before the bundle: builds the data set and the fake API, then streams deltas. */
function installLoad({ locations, connections, processes, batchMs, updatesPerBatch, opensPerBatch }) {
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const places = Array.from({ length: locations }, (_, i) => ({
    country: ['US', 'DE', 'JP', 'BR', 'IN', 'FR', 'AU', 'ZA'][i % 8], city: `City ${i}`,
    lat: Math.round((random() * 140 - 65) * 100) / 100, lon: Math.round((random() * 358 - 179) * 100) / 100,
  }));
  const now = Date.now();
  const make = (i, ts) => {
    const pid = 1000 + (i % processes);
    const place = places[i % locations];
    return {
      type: 'connection', event: 'open', id: `c${i}`, ts, proto: i % 5 === 0 ? 'udp' : 'tcp',
      direction: i % 11 === 0 ? 'inbound' : 'outbound', family: 4,
      local: { ip: '192.168.1.10', port: 30000 + (i % 30000) },
      remote: { ip: `198.51.${(i >> 8) & 255}.${i & 255}`, port: 443, host: `host${i % locations}.example`,
        scope: i % 97 === 0 ? 'lan' : 'internet', geo: i % 97 === 0 ? null : place, asn: { number: 64500 + (i % 50), org: `Org ${i % 50}` } },
      process: { pid, name: `proc${pid}`, exe: `/usr/bin/proc${pid}`, cmdline: `proc${pid} --flag`, uid: 1000, user: 'alice' },
      txBytes: Math.floor(random() * 1e6), rxBytes: Math.floor(random() * 1e7), txPackets: 10, rxPackets: 10,
    };
  };
  const latest = Array.from({ length: connections }, (_, i) => make(i, now));
  let nextId = connections;
  const listeners = new Set();
  const stats = { type: 'stats', ts: now, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections };
  const snapshot = {
    hello: { type: 'hello', version: 1, capture: 'ebpf',
      probes: { tc: 'tcx', connect: 'cgroup:connect4', accept: 'tp_btf:inet_sock_set_state', udp: 'cgroup:sendmsg4',
        close: 'tp_btf:inet_sock_set_state', exec: 'tp_btf:sched_process_exec', dns: 'tc:dns' },
      geoip: { database: 'DB-IP City Lite', built: '2026-06-05', attribution: 'IP Geolocation by DB-IP' },
      home: { lat: 48.86, lon: 2.35, label: 'Paris' } },
    connections: latest.slice(), stats, status: { paused: false, capture: 'ebpf', banner: null },
  };
  const nextDelta = () => {
    const ts = Date.now();
    const events = [];
    for (let k = 0; k < updatesPerBatch; k += 1) {
      const i = Math.floor(random() * latest.length);
      const old = latest[i];
      if (old.event === 'close') continue;
      const event = { ...old, event: 'update', ts, txBytes: old.txBytes + 1500, rxBytes: old.rxBytes + 15000 };
      latest[i] = event;
      events.push(event);
    }
    for (let k = 0; k < opensPerBatch; k += 1) {
      const closing = Math.floor(random() * latest.length);
      if (latest[closing].event !== 'close') {
        latest[closing] = { ...latest[closing], event: 'close', ts };
        events.push(latest[closing]);
      }
      const opened = make(nextId, ts);
      nextId += 1;
      latest.push(opened);
      events.push(opened);
    }
    return { events, stats: { ...stats, ts } };
  };
  const timings = { dispatchMs: [], frames: [], longTasks: 0, longTaskMs: 0, batches: 0 };
  window.__bench = timings;
  window.snitchmap = {
    getSnapshot: async () => snapshot,
    onDelta: (l) => { listeners.add(l); return () => listeners.delete(l); },
    pause: async () => {}, resume: async () => {}, clear: async () => {}, retryCapture: async () => {},
    getSettings: async () => ({ home: null, onlineTiles: { enabled: false, url: '', attribution: '' },
      notifications: { newProcess: false, newCountry: false } }),
    updateSettings: async () => { throw new Error('not in the benchmark'); },
  };
  window.__startLoad = () => {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) { timings.longTasks += 1; timings.longTaskMs += entry.duration; }
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t) => { timings.frames.push(t - last); last = t; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    setInterval(() => {
      const delta = nextDelta();
      const started = performance.now();
      for (const l of listeners) l(delta);
      timings.dispatchMs.push(performance.now() - started);
      timings.batches += 1;
    }, batchMs);
  };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const fmt = (n) => n.toFixed(1);

/** PROFILE=1: the 20 functions with the most self time, to see where a batch goes. */
function printProfile(profile) {
  const self = new Map();
  const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples) {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + interval);
  }
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.error(`${ms.toFixed(0).padStart(7)} ms  ${key}`);
}

await build({
  configFile: resolve(REPO, 'vite.renderer.config.ts'),
  logLevel: 'warn',
  ...(process.env.PROFILE === '1' ? { build: { minify: false } } : {}),
});
const server = await serve(OUT);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.addInitScript(installLoad, {
    locations: LOCATIONS, connections: CONNECTIONS, processes: PROCESSES, batchMs: BATCH_MS,
    updatesPerBatch: UPDATES_PER_BATCH, opensPerBatch: OPENS_PER_BATCH,
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const loadStart = Date.now();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('.row-process').first().waitFor({ timeout: 60_000 });
  const firstPaintMs = Date.now() - loadStart;
  if (ZOOM !== null) {
    for (let z = 2; z < ZOOM; z += 1) {
      await page.locator('.leaflet-control-zoom-in').click();
      await page.waitForTimeout(400);
    }
  }
  await page.waitForTimeout(1000);
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metric();
  if (process.env.PROFILE === '1') {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  await page.evaluate(() => window.__startLoad());
  await page.waitForTimeout(SECONDS * 1000);
  const after = await metric();
  if (process.env.SCREENSHOT !== undefined) await page.screenshot({ path: process.env.SCREENSHOT });
  if (process.env.PROFILE === '1') printProfile((await cdp.send('Profiler.stop')).profile);
  const bench = await page.evaluate(() => ({ ...window.__bench, rows: document.querySelectorAll('.row').length }));
  const frames = bench.frames.slice(2);
  const taskMs = ((after.TaskDuration - before.TaskDuration) * 1000) / bench.batches;
  const scriptMs = ((after.ScriptDuration - before.ScriptDuration) * 1000) / bench.batches;
  const layoutMs = (((after.LayoutDuration ?? 0) - (before.LayoutDuration ?? 0)) * 1000) / bench.batches;
  console.log(JSON.stringify({
    machine: `${cpus().length} × ${cpus()[0]?.model}`, date: new Date().toISOString(), seconds: SECONDS,
    zoom: ZOOM ?? 2, locations: LOCATIONS, connections: CONNECTIONS, batches: bench.batches,
    eventsPerBatch: UPDATES_PER_BATCH + 2 * OPENS_PER_BATCH, firstPaintMs,
    frameMs: { p50: fmt(percentile(frames, 50)), p95: fmt(percentile(frames, 95)), p99: fmt(percentile(frames, 99)),
      max: fmt(Math.max(...frames)), count: frames.length },
    mainThreadPerBatchMs: { task: fmt(taskMs), script: fmt(scriptMs), layout: fmt(layoutMs) },
    deltaDispatchMs: { p50: fmt(percentile(bench.dispatchMs, 50)), p95: fmt(percentile(bench.dispatchMs, 95)) },
    longTasks: bench.longTasks, longTaskMsPerSecond: fmt(bench.longTaskMs / SECONDS),
    jsHeapUsedMB: fmt(after.JSHeapUsedSize / 1e6), jsHeapTotalMB: fmt(after.JSHeapTotalSize / 1e6),
    domNodes: after.Nodes, listRowsInDom: bench.rows,
  }, null, 2));
} finally {
  await browser.close();
  server.close();
}
