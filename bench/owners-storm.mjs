// Storm: short-lived processes each making one TCP connection on loopback at a fixed rate; reports
// the share attributed to the right pid+comm and the connect()→owner-known latency (from just
// before connect() in the child to the owner record reaching JS; both CLOCK_MONOTONIC).
// Run as root after `npx tsc -p tsconfig.build.json` and `bash scripts/build-native.sh`:
//   node bench/owners-storm.mjs [per-second=2000] [seconds=10]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../dist/native/addon.js';
import { attachOwnerChains } from '../dist/native/owners.js';

const rate = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 10);
const binary = join(mkdtempSync(join(tmpdir(), 'smo-storm-')), 'owners-short');
execFileSync('gcc', ['-O2', '-o', binary, fileURLToPath(new URL('../test/kernel/fixtures/owners-short.c', import.meta.url))]);

const server = spawn(process.execPath, ['-e', `
  const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.resume(); });
  s.listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => server.stdout.once('data', (data) => resolve(Number(String(data).trim()))));

const owners = [];
const chains = attachOwnerChains({ addon: loadAddon(), env: {} });
chains.listen({
  owners: (batch) => {
    const now = process.hrtime.bigint();
    for (const owner of batch) if (owner.proto === 6 && owner.how === 'connect' && owner.remotePort === port) owners.push({ owner, now });
  },
});
const poll = setInterval(() => chains.poll(), 50);

const started = process.hrtime.bigint();
const output = await new Promise((resolve, reject) => {
  const child = spawn(binary, [String(rate * seconds), '127.0.0.1', String(port), '0', String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (data) => (text += data));
  child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`owners-short exited ${code}`))));
});
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
await new Promise((resolve) => setTimeout(resolve, 1000));
chains.poll();
clearInterval(poll);

const children = output.trim().split('\n').map((line) => {
  const [pid, comm, tcpPort, , connectNs] = line.split(' ');
  return { pid: Number(pid), comm, tcpPort: Number(tcpPort), connectNs: BigInt(connectNs) };
});
// Loopback reuses TIME_WAIT ports (tcp_tw_reuse=2), so a local port alone does not name a child:
// each child makes exactly one connection, so every connect record carrying a child's pid must be
// that child's socket (right port, right comm), and no record may carry a pid no child had.
const byPid = new Map(children.map((child) => [child.pid, child]));
const firstFor = new Map();
let wrong = 0;
for (const entry of owners) {
  const child = byPid.get(entry.owner.pid);
  if (!child) {
    if (entry.owner.comm.startsWith('sms')) wrong++;
    continue;
  }
  if (entry.owner.localPort !== child.tcpPort || entry.owner.comm !== child.comm) wrong++;
  else if (!firstFor.has(child.pid)) firstFor.set(child.pid, entry);
}
let attributed = 0;
const latencies = [];
for (const child of children) {
  const entry = firstFor.get(child.pid);
  if (!entry) continue;
  attributed++;
  latencies.push(Number(entry.now - child.connectNs) / 1e6);
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]?.toFixed(2);
const stats = chains.stats();
console.log(`connections: ${children.length} of ${rate * seconds} requested at ${rate}/s; took ${elapsed.toFixed(2)} s (${(children.length / elapsed).toFixed(0)}/s achieved)`);
console.log(`attributed: ${attributed} (${((100 * attributed) / children.length).toFixed(2)}%), wrong: ${wrong}, unattributed: ${children.length - attributed - wrong}`);
console.log(`connect()→owner known: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)?.toFixed(2)} ms`);
console.log(`events lost: ${stats.eventsLost}, malformed: ${stats.malformed}; winners: ${JSON.stringify(chains.winners)}`);
chains.close();
server.kill();
