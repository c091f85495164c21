// Generates native/generated/abi.ts — the kernel↔TypeScript ABI — from bpf/snitchmap.h, so the
// decoders (native/flows-layout.ts, native/owners-decode.ts) never restate an offset by hand.
//
// Why BTF and not a printf of offsetof() run on the host: the records are laid out by clang
// -target bpf, and the host compiler is a different target. So the header is compiled exactly as
// the programs are (same clang, same flags, same vmlinux.h) into a throwaway object whose one global
// holds a member of every `struct sm_*` and `enum sm_*` the header declares; clang's BTF of that
// object states each member's offset and size and each enumerator's value as the BPF target sees
// them, and bpftool prints that BTF as JSON. Plain integer #defines (SM_DNS_MAX, SM_END_RST, ...)
// leave no BTF: they come from the preprocessor (clang -dM -E). The list of types is read from the
// header itself, so adding a struct or enum there needs no edit here.
//
// Usage: node scripts/gen-abi.mjs            writes native/generated/abi.ts (run by build-native.sh)
//        node scripts/gen-abi.mjs --stdout   prints it (test/unit/native/abi-generated.test.ts
//                                            compares that with the committed file)
//        --header PATH                       prints the ABI of another header (the test proves an
//                                            edit of the header shows up in the output)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { renderAbi } from './gen-abi-render.mjs';
import { writeIfChanged } from './write-if-changed.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_HEADER = join(ROOT, 'bpf/snitchmap.h');
const OUTPUT = join(ROOT, 'native/generated/abi.ts');
// Same flags as scripts/build-native.sh compiles the programs with (x86_64 is the only target built).
const CLANG_FLAGS = ['-g', '-O2', '-target', 'bpf', '-mcpu=v3', '-D__TARGET_ARCH_x86', '-Wall', '-Werror', '-I', join(ROOT, 'bpf')];

/** `struct sm_x {` / `enum sm_x {` at the start of a line: the header's own declarations. */
function declaredTypes(header) {
  const found = [...header.matchAll(/^(struct|enum)\s+(sm_\w+)\s*\{/gm)].map((match) => ({ kind: match[1], name: match[2] }));
  if (found.length === 0) throw new Error('gen-abi: no struct sm_* or enum sm_* found in bpf/snitchmap.h');
  return found;
}

function anchorSource(header, types) {
  const members = types.map((type, index) => `\t${type.kind} ${type.name} m${index};`).join('\n');
  return `#include "vmlinux/x86/vmlinux.h"\n#include ${JSON.stringify(header)}\nstruct gen_abi_anchor {\n${members}\n} gen_abi_anchor;\n`;
}

function btfTypes(dir, header, types) {
  const source = join(dir, 'anchor.c');
  const object = join(dir, 'anchor.o');
  writeFileSync(source, anchorSource(header, types));
  execFileSync('clang', [...CLANG_FLAGS, '-c', source, '-o', object], { stdio: ['ignore', 'inherit', 'inherit'] });
  return JSON.parse(execFileSync('bpftool', ['btf', 'dump', 'file', object, '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 })).types;
}

/** Integer-valued SM_* macros of the header (guards and function-like macros have no integer value). */
function integerMacros(header) {
  const listing = execFileSync('clang', ['-target', 'bpf', '-dM', '-E', '-x', 'c', header], { encoding: 'utf8' });
  const macros = [];
  for (const match of listing.matchAll(/^#define (SM_\w+) (0x[0-9a-fA-F]+|\d+)[uUlL]*$/gm)) macros.push({ name: match[1], value: Number(match[2]) });
  return macros.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // not the locale's order
}

function byteSize(byId, id) {
  const type = byId.get(id);
  if (!type) throw new Error(`gen-abi: BTF type ${id} missing`);
  if (type.kind === 'TYPEDEF' || type.kind === 'CONST' || type.kind === 'VOLATILE') return byteSize(byId, type.type_id);
  if (type.kind === 'ARRAY') return type.nr_elems * byteSize(byId, type.type_id);
  if (typeof type.size === 'number') return type.size;
  throw new Error(`gen-abi: no size for BTF ${type.kind} ${type.name}`);
}

function layouts(btf, types) {
  const byId = new Map(btf.map((type) => [type.id, type]));
  const named = (kind, name) => btf.find((type) => type.kind === kind && type.name === name);
  const structs = [];
  const enums = [];
  for (const { kind, name } of types) {
    const type = named(kind === 'struct' ? 'STRUCT' : 'ENUM', name);
    if (!type) throw new Error(`gen-abi: ${kind} ${name} is not in the BTF`);
    if (kind === 'enum') {
      enums.push({ name, values: type.values.map((value) => ({ name: value.name, value: value.val })) });
      continue;
    }
    const fields = type.members.map((member) => {
      if (member.bits_offset % 8 !== 0 || member.bitfield_size) throw new Error(`gen-abi: ${name}.${member.name} is a bit field`);
      return { name: member.name, offset: member.bits_offset / 8, size: byteSize(byId, member.type_id) };
    });
    structs.push({ name, size: type.size, fields });
  }
  return { structs, enums };
}

export function generate(header = DEFAULT_HEADER) {
  const types = declaredTypes(readFileSync(header, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'sm-gen-abi-'));
  try {
    return renderAbi({ ...layouts(btfTypes(dir, header, types), types), macros: integerMacros(header) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const headerAt = process.argv.indexOf('--header');
  const text = generate(headerAt > 0 ? resolve(process.argv[headerAt + 1] ?? '') : DEFAULT_HEADER);
  if (process.argv.includes('--stdout') || headerAt > 0) {
    process.stdout.write(text);
  } else {
    writeIfChanged(OUTPUT, text);
  }
}
