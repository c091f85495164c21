// The root helper runs native/*.ts: nothing there may be steered by the environment it inherits
// (SNITCHMAP_ADDON made root load any native module; SNITCHMAP_FORCE_VARIANTS chose its programs).

import { afterEach, describe, expect, it } from 'vitest';
import { addonCandidates } from '../../../native/addon.js';
import type { SnitchmapAddon } from '../../../native/addon.js';
import { NativeError } from '../../../native/errors.js';
import { attachOwnerChains } from '../../../native/owners.js';

const saved = { addon: process.env.SNITCHMAP_ADDON, force: process.env.SNITCHMAP_FORCE_VARIANTS };
afterEach(() => {
  for (const [name, value] of [['SNITCHMAP_ADDON', saved.addon], ['SNITCHMAP_FORCE_VARIANTS', saved.force]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** An addon on which every BPF variant fails to open (as without privileges): only /proc variants win. */
const refusingAddon = {
  openObject: () => {
    throw new NativeError('refused', { code: 'EPERM' });
  },
} as unknown as SnitchmapAddon;

describe('native code ignores environment overrides', () => {
  it('never looks for the addon at a path from SNITCHMAP_ADDON', () => {
    process.env.SNITCHMAP_ADDON = '/tmp/evil.node';
    expect(addonCandidates()).not.toContain('/tmp/evil.node');
    expect(addonCandidates().every((path) => path.endsWith('/build/Release/snitchmap.node'))).toBe(true);
  });

  it('does not read SNITCHMAP_FORCE_VARIANTS from process.env, only from an env passed explicitly', () => {
    process.env.SNITCHMAP_FORCE_VARIANTS = 'connect=no-such-variant';
    const chains = attachOwnerChains({ addon: refusingAddon, cgroupPath: null, scanProc: () => [] });
    chains.close();
    expect(() => attachOwnerChains({ addon: refusingAddon, cgroupPath: null, scanProc: () => [], env: { SNITCHMAP_FORCE_VARIANTS: 'connect=no-such-variant' } })).toThrow(
      expect.objectContaining({ code: 'EVARIANT' }),
    );
  });
});
