// `npm run test:kernels [VERSION…]` — the kernel matrix. VERSION is 5.10, 6.1, 6.12 (Debian's
// kernels, booted under qemu over this machine's root) or host (this machine's kernel, no VM);
// default: all four. Each runs guest-run.sh (program loads, watch's hello, the kernel tests).
// Results land in test-results/kernels/<VERSION>/; docs/kernels.md is rewritten from them (rows of
// kernels not run this time are kept from the previous file). Exits non-zero when any kernel fails.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderKernelsDoc, parseKernelsDoc } from './kernels-doc.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = `${root}scripts/kernel-matrix/`;
const ALL = ['5.10', '6.1', '6.12', 'host'];
const requested = process.argv.slice(2);
const unknown = requested.filter((version) => !ALL.includes(version));
if (unknown.length > 0) {
  console.error(`test:kernels: unknown kernel ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  process.exit(2);
}
const versions = requested.length > 0 ? requested : ALL;
const guestLimitS = Number(process.env.SNITCHMAP_MATRIX_TIMEOUT_S ?? 1500);

function run(command, args, logFile) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
    let log = '';
    const keep = (chunk) => {
      process.stdout.write(chunk);
      log += chunk;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => {
      if (logFile) writeFileSync(logFile, log);
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

async function runOne(version) {
  const out = `${root}test-results/kernels/${version}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  let exit;
  let kernelPackage = null;
  console.log(`\n=== kernel ${version} ===`);
  if (version === 'host') {
    exit = await run('sh', [`${here}guest-run.sh`, out], `${out}/console.log`);
  } else {
    let kdir;
    try {
      kdir = execFileSync('bash', [`${here}fetch-kernel.sh`, version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    } catch {
      return { version, exit: 125, error: 'kernel package unavailable', durationS: 0 };
    }
    kernelPackage = kdir.split('/').at(-1);
    const ci = process.env.CI === 'true' ? 'export CI=true\n' : '';
    writeFileSync(`${out}/command.sh`, `${ci}exec sh ${here}guest-run.sh /tmp/kernel-matrix\n`);
    exit = await run('bash', [`${here}boot.sh`, kdir, out, String(guestLimitS)], null);
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

const rows = [];
for (const version of versions) rows.push(await runOne(version));

const docPath = `${root}docs/kernels.md`;
const previous = existsSync(docPath) ? parseKernelsDoc(readFileSync(docPath, 'utf8')) : [];
const merged = ALL.map((version) => rows.find((row) => row.version === version) ?? previous.find((row) => row.version === version)).filter(Boolean);
writeFileSync(docPath, renderKernelsDoc(merged, new Date()));

console.log('\n=== kernel matrix ===');
for (const row of rows) {
  const tests = row.tests ? `${row.tests.passed} passed, ${row.tests.failed} failed` : 'no tests ran';
  console.log(`${row.version.padEnd(5)} ${row.ok ? 'PASS' : 'FAIL'}  ${row.capture?.kernel ?? '?'}  ${tests}  hello ${row.capture?.helloMs ?? '?'} ms  ${row.durationS} s${row.ok ? '' : `  — ${row.problems.join('; ')}`}`);
}
// One plain totals line, as `npm test` ends with: the kernel tests of every kernel, plus one failure
// per kernel whose capture fell short (not eBPF, a capability missing) without a failing test.
const sum = (pick) => rows.reduce((total, row) => total + (row.tests ? pick(row.tests) : 0), 0);
const shortfalls = rows.filter((row) => !row.ok && (!row.tests || row.tests.failed === 0)).length;
const kernelsPassed = rows.filter((row) => row.ok).length;
console.log(`kernels: ${kernelsPassed} of ${rows.length} passed`);
console.log(`${sum((t) => t.passed)} passed, ${sum((t) => t.failed) + shortfalls} failed, ${sum((t) => t.skipped)} skipped`);
process.exit(kernelsPassed === rows.length ? 0 : 1);
