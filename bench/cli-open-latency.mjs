// connect() → `open` line on stdout of `snitchmap watch --json` (root, real helper, addon, engine).
// A TCP server runs in a network namespace this script creates (10.213.N.0/24, N unused); the
// script connects to it from the host namespace, one connection every 50 ms, and times each from
// just before connect() to the arrival of the matching open line, and from the write of 1,000 bytes
// right after connecting to the first line showing them (txBytes ≥ 1,000). Needs root and a full build.
// Usage: node bench/cli-open-latency.mjs [CONNECTIONS=200] [--busy]
//   --busy: one busy loop per CPU runs during the measurement (the "both CPUs busy" figure).
/* global process, console, setTimeout */
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const total = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 200);
const busy = process.argv.includes('--busy');
const ip = (args) => execFileSync('ip', args, { encoding: 'utf8' });
const routes = ip(['-4', 'route', 'show', 'table', 'all']);
let n = process.pid % 250;
while (routes.includes(`10.213.${n}.`)) n = (n + 1) % 250;
const tag = process.pid.toString(36);
const ns = `sm-bench-${tag}`;
const hostIf = `smbh${tag}`.slice(0, 15);
const nsIf = `smbn${tag}`.slice(0, 15);
const [hostIp, nsIp] = [`10.213.${n}.1`, `10.213.${n}.2`];

function cleanup() {
  try { ip(['link', 'del', hostIf]); } catch { /* gone with the namespace */ }
  try { ip(['netns', 'del', ns]); } catch { /* already gone */ }
}

ip(['netns', 'add', ns]);
const children = [];
try {
  ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
  ip(['link', 'set', nsIf, 'netns', ns]);
  ip(['addr', 'add', `${hostIp}/24`, 'dev', hostIf]);
  ip(['link', 'set', hostIf, 'up']);
  ip(['netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsIf]);
  ip(['netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
  const server = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'test/kernel/fixtures/watch-dns-server.mjs'), nsIp, '5301', '9000', 'x.test', nsIp]);
  children.push(server);
  await new Promise((resolve) => server.stdout.once('data', resolve));

  const watch = spawn(join(repo, 'bin/snitchmap'), ['watch', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(watch);
  const arrivals = new Map();
  const bytesSeen = new Map();
  let buffer = '';
  let helloSeen;
  const hello = new Promise((resolve) => (helloSeen = resolve));
  watch.stdout.on('data', (chunk) => {
    const now = performance.now();
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) {
      const m = JSON.parse(line);
      if (m.type === 'hello') helloSeen(m);
      if (m.type === 'connection' && m.event === 'open' && m.remote.ip === nsIp) arrivals.set(m.local.port, now);
      if (m.type === 'connection' && m.remote.ip === nsIp && m.txBytes >= 1000 && !bytesSeen.has(m.local.port)) bytesSeen.set(m.local.port, now);
    }
  });
  const h = await hello;
  if (h.capture !== 'ebpf') throw new Error(`capture is ${h.capture}, not ebpf: run as root after 'npm run build'`);

  if (busy) for (let cpu = 0; cpu < availableParallelism(); cpu++) children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const latencies = [];
  const byteLatencies = [];
  let missing = 0;
  for (let i = 0; i < total; i++) {
    const started = performance.now();
    const socket = connect(9000, nsIp);
    await new Promise((resolve) => socket.once('connect', resolve));
    const port = socket.localPort;
    const wrote = performance.now();
    socket.write(Buffer.alloc(1000, 0x61));
    const deadline = started + 3000;
    while ((!arrivals.has(port) || !bytesSeen.has(port)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    if (arrivals.has(port)) latencies.push(arrivals.get(port) - started);
    else missing++;
    if (bytesSeen.has(port)) byteLatencies.push(bytesSeen.get(port) - wrote);
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
  }
  const quantiles = (values) => {
    values.sort((a, b) => a - b);
    const q = (p) => values[Math.min(values.length - 1, Math.floor(p * values.length))]?.toFixed(1);
    return { seen: values.length, p50ms: q(0.5), p90ms: q(0.9), p99ms: q(0.99), maxms: values.at(-1)?.toFixed(1) };
  };
  console.log(JSON.stringify({ connections: total, busy, missing, open: quantiles(latencies), firstBytes: quantiles(byteLatencies) }));
} finally {
  for (const child of children) child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 500));
  cleanup();
}
