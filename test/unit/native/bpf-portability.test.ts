// Instruction-level guard for the oldest kernel of the matrix: 5.10 refuses a whole object (EINVAL) if
// any program holds a BPF atomic other than a plain add (fetch variants, and/or/xor, xchg, cmpxchg
// arrived in 5.12). Reads the built objects' instructions through llvm-objdump, which also names
// each program's section.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const OBJECTS = 'build/bpf';
const ATOMIC_W = 0xc3; // BPF_STX | BPF_W | BPF_ATOMIC
const ATOMIC_DW = 0xdb; // BPF_STX | BPF_DW | BPF_ATOMIC

/** [section, byte offset, imm] of every atomic instruction whose operation is not a plain add (imm 0). */
function newerAtomics(object: string): Array<[string, number, number]> {
  const listing = execFileSync('llvm-objdump', ['-d', object], { encoding: 'utf8' });
  const found: Array<[string, number, number]> = [];
  let section = '';
  for (const line of listing.split('\n')) {
    const header = /^Disassembly of section (.+):$/.exec(line);
    if (header) section = header[1] ?? '';
    const instruction = /^\s*(\d+):\s+((?:[0-9a-f]{2}\s){8})/.exec(line);
    if (!instruction) continue;
    const bytes = (instruction[2] ?? '').trim().split(/\s/).map((byte) => parseInt(byte, 16));
    if (bytes[0] !== ATOMIC_W && bytes[0] !== ATOMIC_DW) continue;
    const imm = Buffer.from(bytes.slice(4, 8)).readInt32LE();
    if (imm !== 0) found.push([section, Number(instruction[1]), imm]);
  }
  return found;
}

describe('BPF objects load on 5.10', () => {
  const objects = existsSync(OBJECTS) ? readdirSync(OBJECTS).filter((name) => name.endsWith('.bpf.o')) : [];

  it('are built (npm run build)', () => {
    expect(objects.length).toBeGreaterThan(0);
  });

  it.each(objects)('%s uses no atomic operation newer than 5.10 (only plain adds)', (name) => {
    expect(newerAtomics(`${OBJECTS}/${name}`)).toEqual([]);
  });

  it('the check sees a fetch-or when there is one', () => {
    // Guard against a check that cannot fail: compile one tiny program that uses __sync_fetch_and_or.
    const source = 'unsigned int v; int f(void) { return __sync_fetch_and_or(&v, 1u); }';
    const object = `${process.env.TMPDIR ?? '/tmp'}/sm-atomic-${process.pid}.o`;
    execFileSync('clang', ['-O2', '-target', 'bpf', '-mcpu=v3', '-x', 'c', '-', '-c', '-o', object], { input: source });
    expect(newerAtomics(object).map(([, , imm]) => imm)).toEqual([0x41]); // BPF_OR | BPF_FETCH
  });
});
