// CPU of `snitchmap watch --json` (the engine) and its root helper while nothing happens: after the
// hello and a settling period, utime+stime of both processes over a window, as % of one core. Run as
// root on a machine without other traffic (other engineers' tests generate flows, which is work, not
// idling). Needs a full build.
// Usage: node bench/cli-idle-cpu.mjs [WINDOW_S=60] [SETTLE_S=10]
/* global process, console, setTimeout */
import { readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const windowS = Number(process.argv[2] ?? 60);
const settleS = Number(process.argv[3] ?? 10);
const TICKS = 100; // USER_HZ on every Linux ABI

/** utime + stime in clock ticks, and the parent pid, from /proc/PID/stat. */
function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

function descendants(root) {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const found = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [];
    for (const pid of all) {
      try {
        if (frontier.includes(stat(pid).ppid)) next.push(pid);
      } catch {
        /* gone */
      }
    }
    found.push(...next);
    frontier = next;
  }
  return found;
}

const commOf = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
const watch = spawn(join(repo, 'bin/snitchmap'), ['watch', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
let lines = 0;
let hello;
await new Promise((resolve) =>
  watch.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines++;
      if (!hello && line.includes('"type":"hello"')) {
        hello = JSON.parse(line);
        resolve();
      }
    }
  }),
);
if (hello.capture !== 'ebpf') throw new Error(`capture is ${hello.capture}: run as root after 'npm run build'`);
await new Promise((resolve) => setTimeout(resolve, settleS * 1000));
const helper = descendants(watch.pid).find((pid) => commOf(pid).includes('helper'));
const pids = { engine: watch.pid, helper };
const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, stat(pid).ticks]));
const linesBefore = lines;
await new Promise((resolve) => setTimeout(resolve, windowS * 1000));
const percent = (name) => ((stat(pids[name]).ticks - before[name]) / TICKS / windowS) * 100;
const result = { windowS, engine: percent('engine'), helper: percent('helper'), linesPrinted: lines - linesBefore };
result.total = result.engine + result.helper;
for (const key of ['engine', 'helper', 'total']) result[key] = `${result[key].toFixed(3)} %`;
console.log(JSON.stringify(result));
watch.kill('SIGINT');
