// docs/kernels.md from kernel-matrix rows, and back: the rows ride along in an HTML comment at the end
// so a run of some kernels keeps the others' last results.
import { HOST_ONLY } from './host-only.mjs';

const CAPABILITIES = ['tc', 'connect', 'accept', 'udp', 'close', 'exec', 'dns', 'startup', 'icmp'];
const DATA_START = '<!-- kernel-matrix-data';
const DATA_END = '-->';

const LABEL = {
  '5.10': 'Debian 11 (bullseye)',
  '6.1': 'Debian 12 (bookworm)',
  '6.12': 'Debian 12 backports',
  host: 'this CI machine',
};

const code = (text) => (text ? `\`${text}\`` : '—');

function testsCell(row) {
  if (!row.tests) return 'did not run';
  const skipped = row.tests.skipped > 0 ? `, ${row.tests.skipped} skipped` : '';
  return `${row.tests.passed} passed, ${row.tests.failed} failed${skipped}`;
}

function refusals(row) {
  return Object.entries(row.programs ?? {}).filter(([, outcome]) => outcome !== 'ok');
}

export function renderKernelsDoc(rows, date) {
  const lines = [
    '# Kernels',
    '',
    'What snitchmap captures on each kernel it is tested on. Written by `npm run test:kernels`',
    '(`scripts/kernel-matrix/`), which CI runs on every change: Debian\'s own kernel packages boot under',
    'qemu over the build machine\'s root, and each runs the kernel tests (`test/kernel/`), a `snitchmap',
    'watch` start-up, and a load of every BPF program on its own. The host row is the CI machine itself',
    '(no kprobes there, and fentry/fexit refused by policy).',
    '',
    `Last run: ${date.toISOString().slice(0, 10)}.`,
    '',
    '| kernel | release | result | kernel tests | hello |',
    '|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const hello = row.capture?.helloMs !== undefined ? `${(row.capture.helloMs / 1000).toFixed(1)} s` : '—';
    const result = row.ok ? `eBPF, every capability` : `**failed**: ${row.problems.join('; ')}`;
    lines.push(`| ${row.version}, ${LABEL[row.version] ?? row.version} | ${code(row.capture?.kernel)} | ${result} | ${testsCell(row)} | ${hello} |`);
  }
  lines.push(
    '',
    'hello: from starting `snitchmap watch --json` to its first line, with every program loaded and',
    'attached. The Debian kernels run under software emulation (qemu TCG, no KVM), several times slower',
    'than hardware; the host row is the real figure.',
    '',
    'The Debian kernels run every file of `test/kernel/` but these, which run on the host kernel only',
    '(`scripts/kernel-matrix/host-only.mjs`):',
    '',
    ...HOST_ONLY.map(({ file, why }) => `- \`${file}\`: ${why}.`),
    '',
    '## Winning variant of each capability',
    '',
    'The variant chains (`native/chains.ts`) try the richest hook first and fall back; this is what won.',
    '`proc:/proc` for `startup` means sockets opened before the start are found by scanning /proc',
    '(iter/task_file needs 5.11).',
    '',
    `| kernel | ${CAPABILITIES.join(' | ')} |`,
    `|---|${CAPABILITIES.map(() => '---').join('|')}|`,
  );
  for (const row of rows) {
    lines.push(`| ${row.version} | ${CAPABILITIES.map((capability) => code(row.capture?.probes?.[capability] ?? null)).join(' | ')} |`);
  }
  lines.push(
    '',
    '## Programs each kernel refuses',
    '',
    'Every program loaded on its own; a refused one leaves its capability to the next variant in the chain.',
    '',
  );
  for (const row of rows) {
    const refused = refusals(row);
    lines.push(`### ${row.version}`, '');
    if (!row.programs) lines.push('Not measured.', '');
    else if (refused.length === 0) lines.push('None.', '');
    else {
      for (const [program, reason] of refused) lines.push(`- \`${program}\`: ${reason.replace(/\s+/g, ' ').replace(/\|/g, '\\|')}`);
      lines.push('');
    }
  }
  lines.push(DATA_START, JSON.stringify(rows), DATA_END, '');
  return lines.join('\n');
}

export function parseKernelsDoc(text) {
  const start = text.indexOf(DATA_START);
  if (start < 0) return [];
  const end = text.indexOf(DATA_END, start);
  try {
    return JSON.parse(text.slice(start + DATA_START.length, end).trim());
  } catch {
    return [];
  }
}
