// The ring-buffer error channel on the TypeScript side: the addon's pollers count failed drains
// (native/src/fd_poller.cc); these tests feed such counts through fakes and check they reach
// stats() (as lost events) and drainFailures() with the errno's name.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { BpfObjectHandle, PollerFailures, RingBufferHandle, SnitchmapAddon } from '../../../native/addon.js';
import { OWNER_MAPS } from '../../../native/bpf-objects.js';
import { SM_OWNER_STAT_COUNT } from '../../../native/generated/abi.js';
import { attachOwnerChains } from '../../../native/owners.js';
import { addFailures, errnoName, pollerFailures } from '../../../native/poller-failures.js';

function poller(failures: PollerFailures): { failures(): PollerFailures } {
  return { failures: () => failures };
}

describe('poller failures', () => {
  it('sum the pollers and name the last errno', () => {
    const sum = pollerFailures(poller({ count: 2, errno: constants.errno.ENOMEM }), null, poller({ count: 0, errno: 0 }), poller({ count: 1, errno: constants.errno.EBADF }));
    expect(sum).toEqual({ count: 3, lastError: 'EBADF' });
    expect(pollerFailures(poller({ count: 0, errno: 0 }), null)).toEqual({ count: 0, lastError: null });
    expect(errnoName(99_999)).toBe('E99999');
    expect(addFailures({ count: 1, lastError: 'ENOMEM' }, { count: 0, lastError: null })).toEqual({ count: 1, lastError: 'ENOMEM' });
  });
});

/** Owner objects that load and attach anywhere, one ring whose failure count the test sets. */
function fakeAddon(ringFailures: PollerFailures) {
  const object = (): BpfObjectHandle =>
    ({
      programs: () => [],
      maps: () => Object.values(OWNER_MAPS).map((map) => ({ ...map, maxEntries: 1 })),
      setAutoload: () => undefined,
      reuseMapFd: () => undefined,
      load: () => undefined,
      mapFd: () => 7,
      attachAuto: () => ({ detach: () => undefined, describe: () => ({ description: '', attached: true }) }),
      runIterator: () => Buffer.alloc(0),
      readPerCpuArray: () => Buffer.alloc(8 * SM_OWNER_STAT_COUNT),
      close: () => undefined,
    }) as unknown as BpfObjectHandle;
  const ring: RingBufferHandle = { consume: () => undefined, failures: () => ({ ...ringFailures }), close: () => undefined };
  return { openObject: object, openRingBuffer: () => ring } as unknown as SnitchmapAddon;
}

describe('owner chains', () => {
  it('count failed drains of the owner ring as lost events and report them', () => {
    const failures: PollerFailures = { count: 0, errno: 0 };
    const chains = attachOwnerChains({ addon: fakeAddon(failures), cgroupPath: null, scanProc: () => [] });
    try {
      expect(chains.stats()).toMatchObject({ eventsLost: 0, drainFailures: { count: 0, lastError: null } });
      failures.count = 4;
      failures.errno = constants.errno.ENOMEM;
      expect(chains.stats()).toMatchObject({ eventsLost: 4, drainFailures: { count: 4, lastError: 'ENOMEM' } });
      expect(chains.drainFailures()).toEqual({ count: 4, lastError: 'ENOMEM' });
    } finally {
      chains.close();
    }
  });
});
