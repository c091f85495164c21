// `npm run test:kernels [VERSION…]` — the kernel matrix. VERSION is 5.10, 6.1, 6.12 (Debian's
// kernels, booted under qemu over this machine's root) or host (this machine's kernel, no VM);
// default: the three Debian kernels (`npm test` already runs the kernel tests on this one). Each runs
// guest-run.sh (program loads, watch's hello, the kernel tests). Guests run side by side, one vCPU
// each, all at once unless SNITCHMAP_MATRIX_JOBS says fewer (see `jobs`). The host row runs after
// them, alone, so its timings are not skewed.
// Results land in test-results/kernels/<VERSION>/; docs/kernels.md is rewritten from them (rows of
// kernels not run this time are kept from the previous file). Exits non-zero when any kernel fails.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderKernelsDoc, parseKernelsDoc } from './kernels-doc.mjs';
import { matrixFiles } from './host-only.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = `${root}scripts/kernel-matrix/`;
const ALL = ['5.10', '6.1', '6.12', 'host'];
const DEFAULT = ['5.10', '6.1', '6.12'];
const requested = process.argv.slice(2);
const unknown = requested.filter((version) => !ALL.includes(version));
if (unknown.length > 0) {
  console.error(`test:kernels: unknown kernel ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const versions = requested.length > 0 ? requested : DEFAULT;
// All guests at once by default: their runs differ in length (5.10 is the slowest), and with one
// queue per CPU the last guest started alone after the first finished (measured on 2 CPUs: 3
// guests as 2 + 1 took 1,906 s; side by side each gets 2/3 of a core and the CPUs never idle).
const jobs = Math.max(1, Number(process.env.SNITCHMAP_MATRIX_JOBS ?? Math.max(availableParallelism(), DEFAULT.length)));
const guestLimitS = Number(process.env.SNITCHMAP_MATRIX_TIMEOUT_S ?? 1500);

/** Runs a command with its output in logFile; echoed live (prefixed) only when it runs alone. */
function run(command, args, logFile, prefix, echo, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let log = '';
    let partial = '';
    const keep = (chunk) => {
      log += chunk;
      if (!echo) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`[${prefix}] ${line}\n`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => {
      writeFileSync(logFile, log);
      resolve(code ?? 1);
    });
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The last line of a file as JSON (capture-report prints one line). */
function readJsonLine(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '');
  } catch {
    return null;
  }
}

function verdict(row) {
  const problems = [];
  if (row.exit !== 0) problems.push(`exit ${row.exit}`);
  if (!row.tests) problems.push('no test report');
  else {
    if (row.tests.failed > 0) problems.push(`${row.tests.failed} tests failed`);
    if (row.tests.passed === 0) problems.push('no test passed');
    if (row.tests.skipped > 0) problems.push(`${row.tests.skipped} tests skipped`);
  }
  if (!row.capture || row.capture.capture !== 'ebpf') problems.push(`capture ${row.capture?.capture ?? 'none'}${row.capture?.error ? ` (${row.capture.error})` : ''}`);
  const missing = Object.entries(row.capture?.probes ?? {}).filter(([, winner]) => winner === null).map(([capability]) => capability);
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  return problems;
}

async function runOne(version, echo) {
  const out = `${root}test-results/kernels/${version}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  let exit;
  let kernelPackage = null;
  console.log(`=== kernel ${version}: started`);
  if (version === 'host') {
    exit = await run('sh', [`${here}guest-run.sh`, out], `${out}/console.log`, version, echo);
  } else {
    let kdir;
    try {
      kdir = execFileSync('bash', [`${here}fetch-kernel.sh`, version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    } catch {
      return { version, exit: 125, error: 'kernel package unavailable', durationS: 0 };
    }
    kernelPackage = kdir.split('/').at(-1);
    const ci = process.env.CI === 'true' ? 'export CI=true\n' : '';
    // Emulation runs ~10x slower: the few time bounds the kernel tests assert stretch by this much.
    const scale = 'export SNITCHMAP_TIME_SCALE=10\n';
    // Every kernel test file but the host-only ones (host-only.mjs says why each is). A developer's
    // shortcut: SNITCHMAP_MATRIX_TESTS="test/kernel/a.test.ts …" runs only those files (CI never sets
    // it; docs/kernels.md then holds a partial row, so do not commit it).
    const only = /^[\w./ -]*$/.test(process.env.SNITCHMAP_MATRIX_TESTS ?? '') ? process.env.SNITCHMAP_MATRIX_TESTS : '';
    const tests = `export SNITCHMAP_MATRIX_TESTS='${only || matrixFiles(root).join(' ')}'\n`;
    writeFileSync(`${out}/command.sh`, `${ci}${scale}${tests}exec sh ${here}guest-run.sh /tmp/kernel-matrix\n`);
    exit = await run('bash', [`${here}boot.sh`, kdir, out, String(guestLimitS)], `${out}/boot.log`, version, echo, {
      SNITCHMAP_GUEST_CPUS: jobs > 1 ? '1' : (process.env.SNITCHMAP_GUEST_CPUS ?? '2'),
    });
  }
  const vitest = readJson(`${out}/vitest.json`);
  const row = {
    version,
    package: kernelPackage,
    exit,
    durationS: Math.round((Date.now() - started) / 1000),
    capture: readJsonLine(`${out}/capture.json`),
    programs: readJson(`${out}/programs.json`),
    tests: vitest
      ? { passed: vitest.numPassedTests, failed: vitest.numFailedTests, skipped: vitest.numPendingTests + vitest.numTodoTests }
      : null,
  };
  row.problems = verdict(row);
  row.ok = row.problems.length === 0;
  return row;
}

function report(row) {
  const tests = row.tests ? `${row.tests.passed} passed, ${row.tests.failed} failed` : 'no tests ran';
  const line = `${row.version.padEnd(5)} ${row.ok ? 'PASS' : 'FAIL'}  ${row.capture?.kernel ?? '?'}  ${tests}  hello ${row.capture?.helloMs ?? '?'} ms  ${row.durationS} s`;
  return row.ok ? line : `${line}  — ${row.problems.join('; ')}`;
}

/** A failed kernel's failing tests, from its console, so CI's log says what broke without the files. */
function failureDigest(version) {
  const text = ['console.log', 'boot.log'].map((name) => {
    try {
      return readFileSync(`${root}test-results/kernels/${version}/${name}`, 'utf8');
    } catch {
      return '';
    }
  }).join('\n').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), ''); // terminal colours
  const start = text.indexOf('Failed Tests');
  return start >= 0 ? text.slice(start, start + 8000) : text.slice(-4000);
}

const guests = versions.filter((version) => version !== 'host');
const rows = [];
const queue = [...guests];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let version = queue.shift(); version !== undefined; version = queue.shift()) {
      const row = await runOne(version, jobs === 1 || guests.length === 1);
      rows.push(row);
      console.log(`=== kernel ${report(row)}`);
      if (!row.ok) console.log(failureDigest(version));
    }
  }),
);
if (versions.includes('host')) {
  const row = await runOne('host', true);
  rows.push(row);
  if (!row.ok) console.log(failureDigest('host'));
}
rows.sort((a, b) => ALL.indexOf(a.version) - ALL.indexOf(b.version));

const docPath = `${root}docs/kernels.md`;
const previous = existsSync(docPath) ? parseKernelsDoc(readFileSync(docPath, 'utf8')) : [];
const merged = ALL.map((version) => rows.find((row) => row.version === version) ?? previous.find((row) => row.version === version)).filter(Boolean);
writeFileSync(docPath, renderKernelsDoc(merged, new Date()));

console.log('\n=== kernel matrix ===');
for (const row of rows) console.log(report(row));
// One plain totals line, as `npm test` ends with: the kernel tests of every kernel, plus one failure
// per kernel whose capture fell short (not eBPF, a capability missing) without a failing test.
const sum = (pick) => rows.reduce((total, row) => total + (row.tests ? pick(row.tests) : 0), 0);
const shortfalls = rows.filter((row) => !row.ok && (!row.tests || row.tests.failed === 0)).length;
const kernelsPassed = rows.filter((row) => row.ok).length;
console.log(`kernels: ${kernelsPassed} of ${rows.length} passed`);
console.log(`${sum((t) => t.passed)} passed, ${sum((t) => t.failed) + shortfalls} failed, ${sum((t) => t.skipped)} skipped`);
process.exit(kernelsPassed === rows.length ? 0 : 1);
