// Cost of one /proc-mode poll (ProcSource): reading and parsing /proc/net/{tcp,tcp6,udp,udp6}, and
// the /proc/PID/fd scan that attributes new sockets. Opens N loopback connection pairs in this
// process first (2N sockets). Runs the built JS (npx tsc -p tsconfig.build.json).
// Usage: node bench/cli-proc-poll.mjs [PAIRS=1000] [ROUNDS=30]
/* global process, console */
import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseProcNet } from '../dist/src/core/capture/proc-net.js';
import { scanSocketOwners } from '../dist/src/core/capture/proc-processes.js';
import { ProcSource } from '../dist/src/core/capture/proc-source.js';

const pairs = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 30);
const server = createServer(() => undefined);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const sockets = [];
for (let i = 0; i < pairs; i++) {
  const socket = connect(server.address().port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  sockets.push(socket);
}

function median(fn) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

const uid = process.getuid();
const parse = median(() => {
  for (const [file, proto] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']]) {
    parseProcNet(readFileSync(`/proc/net/${file}`, 'utf8'), proto);
  }
});
const scan = median(() => scanSocketOwners('/proc', uid));
const sink = { flows() {}, flowEnds() {}, owners() {}, dns() {}, stats() {}, failed() {} };
const firstPoll = median(() => {
  const source = new ProcSource({ intervalMs: 1e9 });
  void source.start(sink);
  void source.stop();
});
const processes = readFileSync('/proc/loadavg', 'utf8').trim().split(' ')[3];
console.log(JSON.stringify({ pairs, sockets: pairs * 2, uid, runnable_total: processes, medianMs: { readParseProcNet: parse.toFixed(2), fdScan: scan.toFixed(2), firstPollWithScan: firstPoll.toFixed(2) } }));
for (const socket of sockets) socket.destroy();
server.close();
