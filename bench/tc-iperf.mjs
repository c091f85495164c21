/* global console, process, setTimeout -- plain Node script (eslint has no Node globals for .mjs) */
// iperf3 TCP throughput host → namespace over a veth pair, TC flow capture attached (tcx, both
// directions of the host end) vs not, in alternating runs; prints medians and the on/off ratio.
// Needs root, iperf3 and a built checkout. Addresses: 10.213.N.0/24 on a veth into a namespace this
// script creates (N unused), nothing leaves the machine. Usage: node bench/tc-iperf.mjs [pairs] [seconds]
import { execFileSync, spawn } from 'node:child_process';
import { FlowCapture } from '../dist/native/flows.js';

const PAIRS = Number(process.argv[2] ?? 5);
const SECONDS = Number(process.argv[3] ?? 3);
const tag = process.pid.toString(36);
const ns = `sm-bench-${tag}`;
const hostIf = `smbh${tag}`.slice(0, 15);
const nsIf = `smbn${tag}`.slice(0, 15);
const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8' });
const inNs = (...args) => execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });

let n = process.pid % 250;
while (ip('-4', 'route', 'show', 'table', 'all').includes(`10.213.${n}.`)) n = (n + 1) % 250;
const hostIp = `10.213.${n}.1`;
const nsIp = `10.213.${n}.2`;

async function iperf() {
  const server = spawn('ip', ['netns', 'exec', ns, 'iperf3', '-s', '-1', '-B', nsIp], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const report = JSON.parse(execFileSync('iperf3', ['-c', nsIp, '-B', hostIp, '-t', String(SECONDS), '-J'], { encoding: 'utf8' }));
  await new Promise((resolve) => server.once('exit', resolve));
  return report.end.sum_received.bits_per_second / 1e9;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  ip('netns', 'add', ns);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `${hostIp}/24`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  inNs('ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsIf);
  inNs('ip', 'link', 'set', nsIf, 'up');
  const off = [];
  const on = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    off.push(await iperf());
    const capture = FlowCapture.open({ interfaces: [hostIf] });
    try {
      on.push(await iperf());
      const row = capture.readFlows().find((flow) => flow.remotePort === 5201 && flow.txBytes > 1e6);
      if (!row) throw new Error('capture saw no iperf3 data flow');
    } finally {
      capture.close();
    }
    console.error(`pair ${pair + 1}: off ${off.at(-1).toFixed(2)} Gb/s, on ${on.at(-1).toFixed(2)} Gb/s`);
  }
  const pairRatios = on.map((value, i) => value / off[i]);
  const result = { pairs: PAIRS, seconds: SECONDS, offGbps: median(off), onGbps: median(on), ratio: median(on) / median(off), medianPairRatio: median(pairRatios), off, on };
  console.log(JSON.stringify(result, null, 1));
} finally {
  try {
    ip('link', 'del', hostIf);
  } catch {
    /* gone with the namespace */
  }
  ip('netns', 'del', ns);
}
