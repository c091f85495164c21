// Engine benchmarks (src/core): tracker throughput and tick cost, enrichment lookups, memory with
// both GeoIP files open and 50,000 tracked connections. Runs the tsc output, so build first:
//   npx tsc -p tsconfig.build.json && bash scripts/build-data.sh && node --expose-gc bench/core-engine.mjs
// and, for memory alone in a fresh process: node --expose-gc bench/core-engine.mjs --rss-only
// Prints medians of several runs; results go to bench/RESULTS.md by hand. With --rss-only, SMAPS=1
// adds RSS by mapping (/proc/self/smaps) and SPACES=1 the V8 heap spaces, to see where memory is.
// HEAP_POLICY=off: without the engine's heap policy (V8's default young generation).
import console from 'node:console';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { loadAsnTable } from '../dist/src/core/asn/asn-table.js';
import { defaultAsnTablePath } from '../dist/src/core/config/paths.js';
import { NameCache } from '../dist/src/core/dns/name-cache.js';
import { createDescriber } from '../dist/src/core/enrichment.js';
import { createGeolocator } from '../dist/src/core/geo/geolocator.js';
import { CustomLocations } from '../dist/src/core/locations/custom-locations.js';
import { Tracker } from '../dist/src/core/tracker/tracker.js';
import { keepYoungGenerationSmall } from '../dist/src/core/heap-policy.js';
import dnsPacket from 'dns-packet';

// As in the engine's processes (src/core/heap-policy.ts); HEAP_POLICY=off measures V8's defaults.
if (process.env.HEAP_POLICY !== 'off') keepYoungGenerationSmall();

const RUNS = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => (bytes / 1048576).toFixed(0);

function randomPublicIPv4(seed) {
  // xorshift, so every run looks up the same addresses.
  let x = seed >>> 0 || 1;
  x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
  const a = 1 + (x % 223);
  return `${a === 10 || a === 127 ? 11 : a}.${(x >>> 8) & 255}.${(x >>> 16) & 255}.${(x >>> 24) & 255}`;
}

function sample(i, round) {
  return {
    ifindex: 2, family: 4, proto: 6,
    localIp: '10.0.0.2', localPort: 1024 + (i % 60000), remoteIp: randomPublicIPv4(i + 1), remotePort: 443,
    txBytes: 100 * round, rxBytes: 1000 * round, txPackets: round, rxPackets: round,
    firstSeen: 1, tcpFlags: 0x12, initiator: 'local',
  };
}

/** Rows `first`..`first + n - 1` as the text of a helper line's array, parsed as the engine parses it. */
function samplesText(first, n, round) {
  let text = '[';
  for (let i = first; i < first + n; i++) {
    text += `${i > first ? ',' : ''}{"ifindex":2,"family":4,"proto":6,"localIp":"10.0.0.2","localPort":${1024 + (i % 60000)},` +
      `"remoteIp":"${randomPublicIPv4(i + 1)}","remotePort":443,"txBytes":${100 * round},"rxBytes":${1000 * round},` +
      `"txPackets":${round},"rxPackets":${round},"firstSeen":1,"tcpFlags":18,"initiator":"local"}`;
  }
  return `${text}]`;
}

function owner(i) {
  return {
    ts: 0, how: 'connect', cookie: String(i), family: 4, proto: 6,
    localIp: '10.0.0.2', localPort: 1024 + (i % 60000), remoteIp: randomPublicIPv4(i + 1), remotePort: 443,
    pid: 1000 + (i % 50), comm: 'bench', uid: 1000, startTime: 1, exe: '/usr/bin/bench', cmdline: 'bench --serve /srv/data',
    parents: [{ pid: 900, name: 'bash' }, { pid: 1, name: 'systemd' }],
    cgroup: `/user.slice/user-1000.slice/user@1000.service/app.slice/app-bench-${1000 + (i % 50)}.scope`,
  };
}

// Records reach the engine as JSON lines from the helper (capture/helper-messages.ts): every string
// of every record is its own copy, as here.
const asReceived = (records) => JSON.parse(JSON.stringify(records));

function trackerThroughput(describeRemote, count) {
  const clock = { now: 1_000_000 };
  let events = 0;
  const tracker = new Tracker({
    now: () => clock.now, emit: () => { events++; }, describeRemote, hostFor: () => null, userOf: () => 'bench',
    maxConnections: 100_000, updateIntervalMs: 1_000,
  });
  const owners = asReceived(Array.from({ length: count }, (_, i) => owner(i)));
  const started = process.cpuUsage();
  tracker.owners(owners);
  for (let round = 1; round <= 5; round++) {
    tracker.flows(asReceived(Array.from({ length: count }, (_, i) => sample(i, round))));
    clock.now += 1_000;
    tracker.tick();
  }
  const used = process.cpuUsage(started);
  const cpuMs = (used.user + used.system) / 1000;
  // Idle tick: nothing due, every live connection is looked at.
  const tickStarted = performance.now();
  for (let i = 0; i < 10; i++) { clock.now += 100; tracker.tick(); }
  const idleTickMs = (performance.now() - tickStarted) / 10;
  return { events, cpuMsPer1000: (cpuMs / events) * 1000, idleTickMs, tracker, clock };
}

if (process.argv.includes('--rss-only')) {
  // Fresh process: only what a running engine holds (both GeoIP files, ASN table, 50,000 connections).
  // The databases are first warmed with the very addresses the connections will use, so that the
  // pages their lookups cache count as the databases' memory, not as the connections'.
  // COUNT=25000 for the slope between two sizes (what one more connection costs, fixed costs aside).
  const count = Number(process.env.COUNT ?? 50_000);
  const geo = createGeolocator({ onWarning: (message) => console.error('warning:', message) });
  const asn = loadAsnTable(defaultAsnTablePath());
  geo.lookup('2001:4860::1');
  for (let i = 0; i < count; i++) {
    geo.lookup(randomPublicIPv4(i + 1));
    asn.lookup(randomPublicIPv4(i + 1));
  }
  globalThis.gc?.();
  const before = process.memoryUsage();
  const describeRemote = createDescriber({ geolocator: geo, locations: new CustomLocations([]), asnOf: (ip) => asn.lookup(ip), hostFor: () => null, onLookupError: () => undefined });
  const { tracker, clock } = trackerThroughput(describeRemote, count);
  // V8 hands freed pages back to the system from a background thread: RSS read at once still holds
  // them (measured 30–60 MiB more). A running engine is measured, so let it settle first.
  const settled = async () => {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    globalThis.gc?.();
    return process.memoryUsage();
  };
  const memory = await settled();
  const perConnection = (usage) => Math.round((usage.rss - before.rss) / count);
  console.log(JSON.stringify({
    live: tracker.stats().live,
    rssMiB: mib(memory.rss), heapTotalMiB: mib(memory.heapTotal), heapUsedMiB: mib(memory.heapUsed), externalMiB: mib(memory.external),
    before: { rssMiB: mib(before.rss), heapUsedMiB: mib(before.heapUsed), externalMiB: mib(before.external) },
    perConnectionBytes: { rss: perConnection(memory), heapUsed: Math.round((memory.heapUsed - before.heapUsed) / count) },
  }));
  // Then 16 s with nothing happening and no forced GC: V8's memory reducer notices the allocation
  // rate has dropped and compacts the old generation the burst fragmented (measured: 8–14 s after
  // the burst). RSS per connection every 2 s.
  const quiet = [];
  for (let seconds = 2; seconds <= 16; seconds += 2) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    quiet.push(perConnection(process.memoryUsage()));
  }
  const afterQuiet = process.memoryUsage();
  console.log(JSON.stringify({ quietPerConnectionRssEvery2s: quiet, quiet16s: { rssMiB: mib(afterQuiet.rss), heapTotalMiB: mib(afterQuiet.heapTotal), heapUsedMiB: mib(afterQuiet.heapUsed) } }));
  // A running engine: 30 s in which 5,000 of the connections (10 %) move every second, no forced GC.
  // Rows come as the helper's line text (JSON.parse of it), as in the engine: rows built as object
  // literals here were pretenured by V8 after the burst above and piled up ~23 MiB of the bench's own
  // garbage in the old generation.
  for (let step = 0; step < 300; step++) {
    const first = (step * 500) % count;
    tracker.flows(JSON.parse(samplesText(first, 500, 10 + Math.floor(step / 100))));
    clock.now += 100;
    tracker.tick();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const steady = process.memoryUsage();
  console.log(JSON.stringify({
    steady30s: { rssMiB: mib(steady.rss), heapTotalMiB: mib(steady.heapTotal), heapUsedMiB: mib(steady.heapUsed), perConnectionRss: perConnection(steady) },
  }));
  // The same connections just closed: each is held for connections() for a minute after its close.
  tracker.closeAll();
  const closed = await settled();
  console.log(JSON.stringify({ closedHeld: count, rssMiB: mib(closed.rss), heapUsedMiB: mib(closed.heapUsed), perClosedHeapBytes: Math.round((closed.heapUsed - before.heapUsed) / count) }));
  if (process.env.SMAPS) {
    const { readFileSync } = await import('node:fs');
    const sums = new Map(); let name = '';
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
      if (head) { name = head[1] || '[anon]'; if (name.includes('/')) name = name.split('/').pop(); continue; }
      const rss = line.match(/^Rss:\s+(\d+) kB/);
      if (rss) sums.set(name, (sums.get(name) ?? 0) + Number(rss[1]));
    }
    console.log([...sums].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}M`).join(', '));
  }
  if (process.env.SPACES) for (const sp of (await import('node:v8')).getHeapSpaceStatistics()) console.log(sp.space_name, mib(sp.space_size), mib(sp.space_used_size));
  process.exit(0);
}

const results = {};
const geo = createGeolocator({ onWarning: (message) => console.error('warning:', message) });
const asnPath = defaultAsnTablePath();
const asnLoads = [];
let asn;
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  asn = loadAsnTable(asnPath);
  asnLoads.push(performance.now() - started);
}
results.asnLoadMs = median(asnLoads);

const addresses = Array.from({ length: 200_000 }, (_, i) => randomPublicIPv4(i * 7919 + 3));
geo.lookup('8.8.8.8');
geo.lookup('2001:4860::1');
const timeLookups = (lookup) => {
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (const ip of addresses) lookup(ip);
    runs.push(((performance.now() - started) * 1000) / addresses.length);
  }
  return median(runs);
};
results.geoLookupUs = timeLookups((ip) => geo.lookup(ip));
results.asnLookupUs = timeLookups((ip) => asn.lookup(ip));

const names = new NameCache();
const dnsPayload = {
  ts: 0, direction: 'rx', proto: 17, localIp: '10.0.0.2', localPort: 5000, remoteIp: '10.0.0.1', remotePort: 53, truncated: false,
  payload: dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'www.example.com' }], answers: [
    { type: 'CNAME', name: 'www.example.com', ttl: 60, data: 'edge.example.net' },
    { type: 'A', name: 'edge.example.net', ttl: 60, data: '93.184.216.34' },
  ] }).toString('base64'),
};
// Answers count only after their query (src/core/dns/answer-gate.ts): each lookup is both.
const dnsQuery = {
  ...dnsPayload, direction: 'tx',
  payload: dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'www.example.com' }] }).toString('base64'),
};
const dnsRuns = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    names.ingest(dnsQuery, i);
    names.ingest(dnsPayload, i);
  }
  dnsRuns.push(((performance.now() - started) * 1000) / 20_000);
}
results.dnsIngestUs = median(dnsRuns);

const describeRemote = createDescriber({ geolocator: geo, locations: new CustomLocations([]), asnOf: (ip) => asn.lookup(ip), hostFor: () => null, onLookupError: () => undefined });
const throughput = [];
const ticks = [];
let kept;
for (let run = 0; run < 3; run++) {
  const result = trackerThroughput(describeRemote, 50_000);
  throughput.push(result.cpuMsPer1000);
  ticks.push(result.idleTickMs);
  kept = result.tracker;
  results.eventsPerRun = result.events;
}
results.cpuMsPer1000Events = median(throughput);
results.idleTickMsAt50k = median(ticks);
results.liveConnections = kept.stats().live;
results.machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}`;
console.log(JSON.stringify(results, null, 2));
