// Runs `snitchmap watch --json` on the running kernel until its hello, and prints one JSON line:
// the kernel, the time from spawn to hello, the capture mode, the winning variant of each capability
// and the limitations the hello declares. The kernel matrix records it in docs/kernels.md.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const limitMs = Number(process.env.SNITCHMAP_HELLO_LIMIT_MS ?? 120_000);
const started = process.hrtime.bigint();
const watch = spawn(`${root}bin/snitchmap`, ['watch', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
watch.stderr.on('data', (chunk) => {
  stderr = (stderr + chunk).slice(-4000);
});

const result = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ error: `no hello within ${limitMs} ms` }), limitMs);
  watch.on('exit', (code) => resolve({ error: `watch exited (${code}) before its hello` }));
  createInterface({ input: watch.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.type !== 'hello') return;
    clearTimeout(timer);
    const helloMs = Number(process.hrtime.bigint() - started) / 1e6;
    resolve({ helloMs: Math.round(helloMs), capture: message.capture, probes: message.probes, limitations: message.limitations ?? [] });
  });
});
watch.kill('SIGTERM');
const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
console.log(JSON.stringify({ kernel, ...result, ...(result.error ? { stderr } : {}) }));
process.exit(result.error ? 1 : 0);
