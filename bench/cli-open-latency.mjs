// connect() → `open` line on stdout of `snitchmap watch --json` (root, real helper, addon, engine).
// A TCP server runs in a network namespace this script creates (10.213.N.0/24, N unused); the
// script connects to it from the host namespace, one connection every 50 ms, and times each from
// just before connect() to the arrival of the matching open line. Needs root and a full build.
// Usage: node bench/cli-open-latency.mjs [CONNECTIONS=200]
/* global process, console, setTimeout */
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const total = Number(process.argv[2] ?? 200);
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
    }
  });
  const h = await hello;
  if (h.capture !== 'ebpf') throw new Error(`capture is ${h.capture}, not ebpf: run as root after 'npm run build'`);

  const latencies = [];
  let missing = 0;
  for (let i = 0; i < total; i++) {
    const started = performance.now();
    const socket = connect(9000, nsIp);
    await new Promise((resolve) => socket.once('connect', resolve));
    const port = socket.localPort;
    const deadline = started + 3000;
    while (!arrivals.has(port) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    if (arrivals.has(port)) latencies.push(arrivals.get(port) - started);
    else missing++;
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  console.log(JSON.stringify({ connections: total, seen: latencies.length, missing, p50ms: q(0.5), p90ms: q(0.9), p99ms: q(0.99), maxms: latencies.at(-1).toFixed(1) }));
} finally {
  for (const child of children) child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 500));
  cleanup();
}
