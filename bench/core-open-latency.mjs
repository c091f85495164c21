// connect() → `open` line on stdout of `snitchmap watch --json`: the end-to-end latency of the whole
// chain (BPF hook → ring buffer / flow-table read → helper → engine → stdout). Needs root, a built
// tree (npm run build) and loopback only: the script connects to its own server on 127.0.0.1.
//   sudo node bench/core-open-latency.mjs [connections=200] [spacingMs=20]
import { spawn } from 'node:child_process';
import console from 'node:console';
import { createServer, connect } from 'node:net';
import { setTimeout } from 'node:timers';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const count = Number(process.argv[2] ?? 200);
const spacingMs = Number(process.argv[3] ?? 20);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const now = () => performance.timeOrigin + performance.now();

const server = createServer((socket) => socket.on('error', () => undefined).resume());
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const serverPort = server.address().port;

const watch = spawn(join(repo, 'bin/snitchmap'), ['watch', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const started = new Map();
const latencies = [];
let helloResolve;
const hello = new Promise((resolve) => { helloResolve = resolve; });
createInterface({ input: watch.stdout }).on('line', (line) => {
  const seen = now();
  let message;
  try { message = JSON.parse(line); } catch { return; }
  if (message.type === 'hello') helloResolve(message);
  if (message.type !== 'connection' || message.event !== 'open') return;
  if (message.remote.port !== serverPort || message.direction !== 'outbound') return;
  const t0 = started.get(message.local.port);
  if (t0 !== undefined) latencies.push(seen - t0);
});

const helloMessage = await Promise.race([hello, new Promise((_, reject) => setTimeout(() => reject(new Error('no hello within 20 s')), 20_000))]);
for (let i = 0; i < count; i++) {
  const t0 = now();
  const socket = connect(serverPort, '127.0.0.1');
  socket.on('connect', () => started.set(socket.localPort, t0));
  socket.on('error', () => undefined);
  setTimeout(() => socket.destroy(), 500);
  await new Promise((resolve) => setTimeout(resolve, spacingMs));
}
await new Promise((resolve) => setTimeout(resolve, 2_000));
watch.kill('SIGINT');
server.close();

const sorted = [...latencies].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
console.log(JSON.stringify({
  capture: helloMessage.capture, tc: helloMessage.probes?.tc, connect: helloMessage.probes?.connect,
  connections: count, seen: latencies.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: sorted.at(-1)?.toFixed(1),
}));
