// History store benchmarks (src/core/history): the write path at 2,000 new connections/s, bytes on
// disk per connection, and a 24 h window with 100,000 connections. Runs the tsc output:
//   npx tsc -p tsconfig.build.json && node bench/history-store.mjs [SECONDS] [WINDOW_CONNECTIONS]
// Prints medians; results go to bench/RESULTS.md by hand.
import console from 'node:console';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { openHistory } from '../dist/src/core/history/history.js';

const SECONDS = Number(process.argv[2] ?? 20);
const WINDOW_CONNECTIONS = Number(process.argv[3] ?? 100_000);
const RATE = 2000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pct = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

class Engine {
  listeners = new Set();
  onMessage(listener) { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  onCleared() { return () => undefined; }
  send(event) { for (const listener of this.listeners) listener(event); }
}

const PROCESSES = ['firefox', 'curl', 'apt', 'ssh', 'slack', 'code', 'node', 'python3'];
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'NL', 'GB', 'IE', 'SE'];
function event(i, kind, ts, bytes) {
  return {
    type: 'connection', event: kind, id: `bench-${i.toString(36)}`, ts, proto: 'tcp', direction: 'outbound', family: 4,
    local: { ip: '10.0.0.2', port: 1024 + (i % 60000) },
    remote: {
      ip: `${1 + (i % 200)}.${(i >> 8) & 255}.${(i >> 16) & 255}.${i & 255}`, port: 443, host: `host${i % 5000}.example.com`, scope: 'internet',
      geo: { country: COUNTRIES[i % COUNTRIES.length], city: 'Somewhere', lat: 10 + (i % 70), lon: (i % 360) - 180 },
      asn: { number: 64500 + (i % 100), org: 'Example Networks' },
    },
    process: { pid: 1000 + (i % 300), name: PROCESSES[i % PROCESSES.length], exe: `/usr/bin/${PROCESSES[i % PROCESSES.length]}`, cmdline: `${PROCESSES[i % PROCESSES.length]} --some-arguments`, uid: 1000, user: 'me' },
    txBytes: bytes, rxBytes: bytes * 10, txPackets: 3, rxPackets: 5,
  };
}

/** CPU (user+system) of the recorder for SECONDS of traffic at RATE new connections/s (open, update, close each). */
function writePath(dir) {
  const file = join(dir, 'write.sqlite');
  let clock = Date.UTC(2026, 0, 1);
  const history = openHistory({ file, now: () => clock, flushMs: 3_600_000 });
  const engine = new Engine();
  history.attach(engine);
  const perSecond = [];
  let n = 0;
  for (let s = 0; s < SECONDS; s++) {
    // The second's events are made before the clock starts: only the recorder is measured.
    const events = [];
    for (let k = 0; k < RATE; k++, n++) {
      const ts = clock + Math.floor((k * 1000) / RATE);
      events.push(event(n, 'open', ts, 0), event(n, 'update', ts + 200, 600), event(n, 'close', ts + 400, 900));
    }
    const start = process.cpuUsage();
    const wall = performance.now();
    for (const e of events) engine.send(e);
    clock += 1000;
    history.flush(); // the recorder's one transaction per second
    const used = process.cpuUsage(start);
    perSecond.push({ cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall });
  }
  history.close();
  const bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  return { perSecond, connections: n, bytes };
}

/** A 24 h window holding WINDOW_CONNECTIONS connections: the query time (store only, and with JSON as serve sends it). */
function windowQuery(dir) {
  const file = join(dir, 'window.sqlite');
  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 2);
  let clock = t0;
  const history = openHistory({ file, now: () => clock, flushMs: 3_600_000 });
  const engine = new Engine();
  history.attach(engine);
  const step = day / WINDOW_CONNECTIONS;
  for (let i = 0; i < WINDOW_CONNECTIONS; i++) {
    const ts = Math.floor(t0 + i * step);
    engine.send(event(i, 'open', ts, 0));
    engine.send(event(i, 'update', ts + 30_000, 5000));
    engine.send(event(i, 'close', ts + 90_000, 9000));
    if (i % 5000 === 4999) history.flush();
  }
  clock = t0 + day + 120_000;
  history.flush();
  const queryMs = [];
  const jsonMs = [];
  let count = 0;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    const result = history.query({ from: t0, to: t0 + day }, { limit: 200_000 });
    queryMs.push(performance.now() - start);
    count = result.connections.length;
    const s2 = performance.now();
    JSON.stringify(result);
    jsonMs.push(performance.now() - s2);
  }
  const timelineMs = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    history.timeline(t0 - 29 * day, t0 + day, 3_600_000);
    timelineMs.push(performance.now() - start);
  }
  history.close();
  return { count, queryMs: median(queryMs), jsonMs: median(jsonMs), timelineMs: median(timelineMs) };
}

const dir = mkdtempSync(join(tmpdir(), 'sm-history-bench-'));
try {
  console.log(`machine: ${cpus()[0]?.model} x${cpus().length}, node ${process.version}`);
  const write = writePath(dir);
  const cpu = write.perSecond.slice(2).map((s) => s.cpuMs);
  console.log(`write path: ${RATE} new connections/s (3 events each) for ${SECONDS} s`);
  console.log(`  recorder CPU per second of traffic: median ${median(cpu).toFixed(1)} ms (${(median(cpu) / 10).toFixed(2)} % of one core), p95 ${pct(cpu, 0.95).toFixed(1)} ms`);
  console.log(`  bytes on disk per connection (file + wal): ${(write.bytes / write.connections).toFixed(0)} (${write.connections} connections, ${(write.bytes / 1048576).toFixed(1)} MiB)`);
  const window = windowQuery(dir);
  console.log(`24 h window, ${window.count} connections: query ${window.queryMs.toFixed(0)} ms, + JSON.stringify ${window.jsonMs.toFixed(0)} ms; 30-day timeline (hour bins) ${window.timelineMs.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
