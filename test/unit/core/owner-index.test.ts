import { describe, expect, it } from 'vitest';
import type { OwnerRecord } from '../../../src/shared/capture.js';
import { OwnerCompactor } from '../../../src/core/tracker/owner-compact.js';
import { OwnerIndex, type JoinKey } from '../../../src/core/tracker/owner-index.js';

const compactor = new OwnerCompactor();
let clock = 1;

function record(extra: Partial<OwnerRecord>) {
  return compactor.compact({
    ts: clock++, how: 'bind', cookie: '77', family: 4, proto: 17, localIp: '10.0.0.2', localPort: 5000,
    remoteIp: null, remotePort: null, pid: 42, comm: 'app', uid: 1000, startTime: 9, exe: '/usr/bin/app', cmdline: 'app',
    ...extra,
  });
}

// A flow whose socket is not known yet (no cookie on its row): only endpoints can join it.
const flowTo = (remoteIp: string): JoinKey => ({ proto: 17, localIp: '10.0.0.2', localPort: 5000, remoteIp, remotePort: 53, cookie: null });

describe('OwnerIndex claims', () => {
  it('a socket that binds, then connects, is found by its tuple and no longer by its bound port', () => {
    const index = new OwnerIndex();
    const bound = record({ how: 'bind' });
    index.add(bound);
    expect(index.find(flowTo('192.0.2.1'))?.via).toBe('local');
    const connected = record({ how: 'connect', remoteIp: '192.0.2.9', remotePort: 53 });
    index.add(connected);
    expect(index.find(flowTo('192.0.2.9'))).toEqual({ owner: connected, via: 'tuple' });
    expect(index.find(flowTo('192.0.2.1'))).toBeNull();
  });

  it('a start-up scan record after a hook record: the hook keeps the cookie, the scan record the claim it made', () => {
    const index = new OwnerIndex();
    const hook = record({ how: 'bind', cookie: '88' });
    index.add(hook);
    const scanned = record({ how: 'existing', cookie: '88', remoteIp: '192.0.2.9', remotePort: 53 });
    index.add(scanned);
    expect(index.find({ ...flowTo('198.51.100.1'), cookie: '88' })).toEqual({ owner: hook, via: 'cookie' });
    expect(index.find(flowTo('192.0.2.9'))?.owner).toBe(scanned);
    // The socket moves on: the claim that stood (the scan record's tuple) is dropped.
    const moved = record({ how: 'connect', cookie: '88', remoteIp: '192.0.2.10', remotePort: 53 });
    index.add(moved);
    expect(index.find(flowTo('192.0.2.9'))).toBeNull();
    expect(index.find(flowTo('192.0.2.10'))?.owner).toBe(moved);
  });

  it("an ICMP socket's create record does not make its socket forget what it claimed", () => {
    const index = new OwnerIndex();
    index.add(record({ how: 'bind', cookie: '99' }));
    index.add(record({ how: 'create', cookie: '99' }));
    const connected = record({ how: 'connect', cookie: '99', remoteIp: '192.0.2.9', remotePort: 53 });
    index.add(connected);
    expect(index.find(flowTo('192.0.2.1'))).toBeNull();
    expect(index.find(flowTo('192.0.2.9'))?.owner).toBe(connected);
  });
});
