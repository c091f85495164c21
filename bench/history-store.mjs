// History store benchmarks (src/core/history): the write path at 2,000 new connections/s, bytes on
// disk per connection, and a 24 h window with 100,000 connections. Runs the tsc output:
//   npx tsc -p tsconfig.build.json && node bench/history-store.mjs [SECONDS] [WINDOW_CONNECTIONS]
// PART (third argument): write | window | all. Prints medians; results go to bench/RESULTS.md by hand.
import console from 'node:console';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createHistoryApi } from '../dist/src/core/history/api.js';
import { openHistory } from '../dist/src/core/history/history.js';

const SECONDS = Number(process.argv[2] ?? 20);
const WINDOW_CONNECTIONS = Number(process.argv[3] ?? 100_000);
const PART = process.argv[4] ?? 'all'; // write | window | all
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

/**
 * A 24 h window holding WINDOW_CONNECTIONS connections, with half as many on the day before and the
 * day after (the index must skip them). Times: what the UI asks (getHistory: the newest UI_LIMIT and
 * the count of the rest), serialised as serve sends it and parsed as the page does; and the whole
 * window as `snitchmap history` reads it.
 */
async function windowQuery(dir) {
  const file = join(dir, 'window.sqlite');
  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 2);
  let clock = t0 - day;
  const history = openHistory({ file, now: () => clock, flushMs: 3_600_000 });
  const engine = new Engine();
  history.attach(engine);
  const step = day / WINDOW_CONNECTIONS;
  const around = Math.floor(WINDOW_CONNECTIONS / 2);
  let n = 0;
  const add = (ts) => {
    engine.send(event(n, 'open', ts, 0));
    engine.send(event(n, 'update', ts + 30_000, 5000));
    engine.send(event(n, 'close', ts + 90_000, 9000));
    if (++n % 5000 === 0) history.flush();
  };
  for (let i = 0; i < around; i++) add(Math.floor(t0 - day + (i * day) / around));
  // Inside: start at least 90 s after t0 and end by t0 + day, so exactly WINDOW_CONNECTIONS are in it.
  for (let i = 0; i < WINDOW_CONNECTIONS; i++) add(Math.floor(t0 + 90_001 + i * step * 0.99));
  for (let i = 0; i < around; i++) add(Math.floor(t0 + day + 120_000 + (i * day) / around));
  clock = t0 + 2 * day + 240_000;
  history.flush();
  const api = createHistoryApi(() => history);
  const window = { from: t0, to: t0 + day };
  const ui = { queryMs: [], jsonMs: [], parseMs: [], bytes: 0, count: 0, total: 0 };
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    const result = await api.getHistory(window);
    ui.queryMs.push(performance.now() - start);
    const s2 = performance.now();
    const text = JSON.stringify(result);
    ui.jsonMs.push(performance.now() - s2);
    const s3 = performance.now();
    JSON.parse(text);
    ui.parseMs.push(performance.now() - s3);
    ui.bytes = text.length;
    ui.count = result.connections.length;
    ui.total = result.total;
  }
  const cli = { queryMs: [], count: 0 };
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const result = history.query(window, { limit: Number.MAX_SAFE_INTEGER });
    cli.queryMs.push(performance.now() - start);
    cli.count = result.connections.length;
  }
  const timelineMs = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    history.timeline(t0 - 29 * day, t0 + day, 3_600_000);
    timelineMs.push(performance.now() - start);
  }
  history.close();
  return { ui, cli, timelineMs: median(timelineMs) };
}

const dir = mkdtempSync(join(tmpdir(), 'sm-history-bench-'));
try {
  console.log(`machine: ${cpus()[0]?.model} x${cpus().length}, node ${process.version}`);
  if (PART !== 'window') {
  const write = writePath(dir);
  const cpu = write.perSecond.slice(2).map((s) => s.cpuMs);
  console.log(`write path: ${RATE} new connections/s (3 events each) for ${SECONDS} s`);
  console.log(`  recorder CPU per second of traffic: median ${median(cpu).toFixed(1)} ms (${(median(cpu) / 10).toFixed(2)} % of one core), p95 ${pct(cpu, 0.95).toFixed(1)} ms`);
  console.log(`  bytes on disk per connection (file + wal): ${(write.bytes / write.connections).toFixed(0)} (${write.connections} connections, ${(write.bytes / 1048576).toFixed(1)} MiB)`);
  }
  if (PART !== 'write') {
  const { ui, cli, timelineMs } = await windowQuery(dir);
  console.log(`24 h window with ${ui.total} connections (${Math.floor(WINDOW_CONNECTIONS / 2)} more on each side), medians:`);
  console.log(`  UI (getHistory): ${ui.count} sent of ${ui.total}: query ${median(ui.queryMs).toFixed(1)} ms, JSON.stringify ${median(ui.jsonMs).toFixed(1)} ms, JSON.parse ${median(ui.parseMs).toFixed(1)} ms, ${(ui.bytes / 1048576).toFixed(2)} MiB`);
  console.log(`  CLI (whole window): ${cli.count} connections in ${median(cli.queryMs).toFixed(0)} ms`);
  console.log(`  30-day timeline (hour bins) ${timelineMs.toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
