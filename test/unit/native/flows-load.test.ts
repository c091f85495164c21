// loadFlowsObject against a fake addon whose "verifier" refuses chosen features: the core must load
// without them, the refusal must carry the verifier's words, and each failed object must be closed.
import { describe, expect, it } from 'vitest';
import type { BpfObjectHandle, SnitchmapAddon } from '../../../native/addon.js';
import { NativeError } from '../../../native/errors.js';
import { loadFlowsObject } from '../../../native/flows-load.js';

interface FakeVerifier {
  refuses(globals: Map<string, Buffer>): string | null;
}

function fakeAddon(verifier: FakeVerifier) {
  const opened: Array<{ globals: Map<string, Buffer>; closed: boolean; loaded: boolean }> = [];
  const addon = {
    openObject(name: string) {
      expect(name).toBe('flows');
      const state = { globals: new Map<string, Buffer>(), closed: false, loaded: false };
      opened.push(state);
      const object: Partial<BpfObjectHandle> = {
        setMapMaxEntries: () => undefined,
        setGlobal: (variable: string, value: Buffer) => void state.globals.set(variable, value),
        load: () => {
          const refusal = verifier.refuses(state.globals);
          if (refusal) throw new NativeError('bpf_object__load(flows): Permission denied', { code: 'EACCES', log: refusal });
          state.loaded = true;
        },
        close: () => void (state.closed = true),
      };
      return object as BpfObjectHandle;
    },
  } as unknown as SnitchmapAddon;
  return { addon, opened };
}

const options = { flowTableSize: 1024, dnsCaptureBytes: 512 };
const dnsOn = (globals: Map<string, Buffer>) => globals.get('feature_dns')?.[0] === 1;
const VERIFIER_LOG = '1277: call bpf_skb_load_bytes#26\ninvalid access to memory, mem_size=584 off=68 size=0\nR3 min value is outside of the allowed memory range\nprocessed 9000 insns (limit 1000000)\n';

describe('loadFlowsObject', () => {
  it('loads everything in one attempt when the kernel takes it all', () => {
    const { addon, opened } = fakeAddon({ refuses: () => null });
    const loaded = loadFlowsObject(addon, options);
    expect([...loaded.features]).toEqual(['dns', 'socket']);
    expect(loaded.refused.size).toBe(0);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.globals.get('dns_capture_bytes')?.readUInt32LE()).toBe(512);
  });

  it('keeps flows and bytes when the kernel refuses the DNS copy, and says why', () => {
    const { addon, opened } = fakeAddon({ refuses: (globals) => (dnsOn(globals) ? VERIFIER_LOG : null) });
    const loaded = loadFlowsObject(addon, options);
    expect([...loaded.features]).toEqual(['socket']);
    expect(loaded.refused.get('dns')).toBe(
      'EACCES: invalid access to memory, mem_size=584 off=68 size=0 / R3 min value is outside of the allowed memory range',
    );
    // full (refused), core (kept, then replaced), core+dns (refused), core+socket (kept): every
    // refused or replaced object closed, the kept one open
    expect(opened.map((state) => [state.loaded, state.closed])).toEqual([
      [false, true],
      [true, true],
      [false, true],
      [true, false],
    ]);
  });

  it('fails with the core refusal when even the core does not load, leaving nothing open', () => {
    const { addon, opened } = fakeAddon({ refuses: () => 'R1 invalid mem access\n' });
    expect(() => loadFlowsObject(addon, options)).toThrow(expect.objectContaining({ code: 'EACCES' }));
    expect(opened.every((state) => state.closed)).toBe(true);
  });

  it('does not retry without features when the failure is missing privileges', () => {
    const { addon, opened } = fakeAddon({ refuses: () => null });
    const denying = {
      openObject: (name: string) => {
        const object = addon.openObject(name);
        object.load = () => {
          throw new NativeError('bpf_object__load(flows): Operation not permitted', { code: 'EPERM' });
        };
        return object;
      },
    } as unknown as SnitchmapAddon;
    expect(() => loadFlowsObject(denying, options)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(opened).toHaveLength(1);
  });
});
