// Every object, program, map and global name TypeScript uses exists in the objects embedded in the
// built addon, with the map types and key/value sizes the readers are written for. Opening an object
// (bpf_object__open_mem) only parses its ELF and BTF: no capability, no kernel call, so this runs in
// the unit project as any user. Only loading would need root — that is the kernel tests' job.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { addonPath, loadAddon, type BpfObjectHandle, type SnitchmapAddon } from '../../../native/addon.js';
import { FLOWS_GLOBALS, FLOWS_MAPS, FLOWS_OBJECT, OWNER_MAPS, type MapSpec } from '../../../native/bpf-objects.js';
import { OWNER_CHAINS } from '../../../native/chains.js';
import { TC_PROGRAMS } from '../../../native/flows-attach.js';
import { gate } from '../../support/gate.js';

const suite = gate('embedded BPF objects', existsSync(addonPath()) ? null : 'native addon not built (npm run build)');

/** The kernel keeps 15 characters of a program's name; removeStaleFilters matches on what it keeps. */
const KERNEL_PROG_NAME_MAX = 15;

/** What differs between the specs and the object: an empty list when every map is as TypeScript assumes. */
function mapMismatches(object: BpfObjectHandle, specs: readonly MapSpec[]): string[] {
  const maps = new Map(object.maps().map((map) => [map.name, map]));
  return specs.flatMap((spec) => {
    const map = maps.get(spec.name);
    if (!map) return [`no map ${spec.name}`];
    const actual = { type: map.type, keySize: map.keySize, valueSize: map.valueSize, ...(spec.maxEntries === undefined ? {} : { maxEntries: map.maxEntries }) };
    const wanted = { type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, ...(spec.maxEntries === undefined ? {} : { maxEntries: spec.maxEntries }) };
    return JSON.stringify(actual) === JSON.stringify(wanted) ? [] : [`${spec.name}: ${JSON.stringify(actual)}, TypeScript assumes ${JSON.stringify(wanted)}`];
  });
}

function missingPrograms(object: BpfObjectHandle, names: readonly string[]): string[] {
  const present = new Set(object.programs().map((program) => program.name));
  return names.filter((name) => !present.has(name));
}

describe.skipIf(suite.skip)('embedded BPF objects (opened, not loaded: unprivileged)', () => {
  const addon: SnitchmapAddon = suite.skip ? (null as unknown as SnitchmapAddon) : loadAddon();
  const opened = new Map<string, BpfObjectHandle>();
  const open = (name: string): BpfObjectHandle => {
    const existing = opened.get(name);
    if (existing) return existing;
    const object = addon.openObject(name);
    opened.set(name, object);
    return object;
  };
  afterAll(() => {
    for (const object of opened.values()) object.close();
  });

  const ownerObjects = [...new Set(Object.values(OWNER_CHAINS).flatMap((chain) => chain.map((variant) => variant.object)))].filter(
    (name): name is string => name !== null,
  );

  it('embed every object TypeScript opens', () => {
    const embedded = addon.embeddedObjects();
    expect([FLOWS_OBJECT, ...ownerObjects].filter((name) => !embedded.includes(name))).toEqual([]);
  });

  it('hold every program of every owner variant (native/chains.ts)', () => {
    const missing = Object.values(OWNER_CHAINS).flatMap((chain) =>
      chain.flatMap((variant) => (variant.object === null ? [] : missingPrograms(open(variant.object), variant.programs).map((name) => `${variant.object}:${name}`))),
    );
    expect(missing).toEqual([]);
  });

  it('hold the TC programs (native/flows-attach.ts), named within what the kernel keeps', () => {
    const names = [...Object.values(TC_PROGRAMS.ethernet), ...Object.values(TC_PROGRAMS.l3)];
    expect(missingPrograms(open(FLOWS_OBJECT), names)).toEqual([]);
    expect(names.filter((name) => name.length > KERNEL_PROG_NAME_MAX)).toEqual([]);
  });

  it('declare the flows maps with the types and sizes native/flows.ts reads', () => {
    expect(mapMismatches(open(FLOWS_OBJECT), Object.values(FLOWS_MAPS))).toEqual([]);
  });

  it('declare the shared owner maps in every owner object with the sizes native/owners.ts reads', () => {
    expect(ownerObjects.flatMap((name) => mapMismatches(open(name), Object.values(OWNER_MAPS)).map((problem) => `${name}: ${problem}`))).toEqual([]);
  });

  it('declare the flows globals with the sizes native/flows-load.ts writes', () => {
    // setGlobal finds the variable in the object's BTF and refuses a size that differs (before load).
    const object = addon.openObject(FLOWS_OBJECT);
    try {
      for (const global of Object.values(FLOWS_GLOBALS)) expect(() => object.setGlobal(global.name, Buffer.alloc(global.size)), global.name).not.toThrow();
      expect(() => object.setGlobal(FLOWS_GLOBALS.dnsCaptureBytes.name, Buffer.alloc(2))).toThrow(/is 4 bytes/);
    } finally {
      object.close();
    }
  });

  it('report a wrong size, type or name (the checks above can fail)', () => {
    const stats = FLOWS_MAPS.stats;
    const problems = mapMismatches(open(FLOWS_OBJECT), [
      { ...FLOWS_MAPS.flows, valueSize: FLOWS_MAPS.flows.valueSize + 8 },
      { ...stats, maxEntries: stats.maxEntries + 1 },
      { ...FLOWS_MAPS.events, type: FLOWS_MAPS.stats.type },
      { ...stats, name: 'no_such_map' },
    ]);
    expect(problems).toHaveLength(4);
    expect(problems[3]).toBe('no map no_such_map');
    expect(missingPrograms(open(FLOWS_OBJECT), ['sm_tc_ingress', 'no_such_program'])).toEqual(['no_such_program']);
  });
});
