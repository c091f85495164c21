// Collateral cost of the owner hooks on unrelated syscalls: a getppid() loop with and without the
// owner chains attached (default winners), plus the syscall-tracepoint accept variant for contrast.
// Run as root after `npx tsc -p tsconfig.build.json` and `bash scripts/build-native.sh`:
//   node bench/owners-collateral.mjs [rounds=15] [calls=2000000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../dist/native/addon.js';
import { attachOwnerChains } from '../dist/native/owners.js';

const rounds = Number(process.argv[2] ?? 15);
const calls = process.argv[3] ?? '2000000';
const binary = join(mkdtempSync(join(tmpdir(), 'smo-bench-')), 'getppid');
execFileSync('gcc', ['-O2', '-o', binary, fileURLToPath(new URL('./owners-getppid.c', import.meta.url))]);

// The contrast row's classic tracepoint resolves its id through tracefs: mount it for the run if needed.
const TRACEFS = '/sys/kernel/tracing';
const mountedTracefs = !readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === TRACEFS);
if (mountedTracefs) execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS]);
process.on('exit', () => mountedTracefs && execFileSync('umount', [TRACEFS]));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const once = () => Number(execFileSync(binary, [calls], { encoding: 'utf8' }));

function withChains(force, run) {
  const chains = attachOwnerChains({ addon: loadAddon(), force, env: {} });
  chains.listen({});
  try {
    return { winners: chains.winners, value: run() };
  } finally {
    chains.close();
  }
}

// Interleaved rounds (none, default winners, syscall-tracepoint accept) so that load from other
// work on the machine hits every configuration alike; ratios are medians of per-round ratios.
const configs = [
  ['none attached', null],
  ['default winners', {}],
  ['accept forced to tracepoint:sys_exit_accept4', { accept: 'tracepoint:sys_exit_accept4' }],
];
const samples = configs.map(() => []);
let winners = null;
for (let round = 0; round < rounds; round++) {
  configs.forEach(([, force], index) => {
    if (force === null) return samples[index].push(once());
    const result = withChains(force, once);
    if (index === 1) winners = result.winners;
    samples[index].push(result.value);
  });
}
console.log(`${rounds} interleaved rounds of ${calls} getppid() calls; default winners: ${JSON.stringify(winners)}`);
configs.forEach(([label], index) => {
  const ratios = samples[index].map((value, round) => value / samples[0][round]);
  console.log(`${label}: median ${median(samples[index]).toFixed(1)} ns/call, median ratio vs none ${median(ratios).toFixed(3)}`);
});
