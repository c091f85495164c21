import { describe, expect, it } from 'vitest';
import type { OwnerRecord } from '../../../src/shared/capture.js';
import { OwnerCompactor } from '../../../src/core/tracker/owner-compact.js';

// As the helper's JSON lines deliver them: every record its own copy of everything.
function received(port: number, extra: Partial<OwnerRecord> = {}): OwnerRecord {
  return JSON.parse(JSON.stringify({
    ts: 1, how: 'connect', cookie: String(port), family: 4, proto: 6, localIp: '10.0.0.2', localPort: port,
    remoteIp: '192.0.2.7', remotePort: 443, pid: 42, comm: 'curl', uid: 1000, startTime: 9, exe: '/usr/bin/curl',
    cmdline: 'curl https://example.com', parents: [{ pid: 41, name: 'bash' }], cgroup: '/user.slice/app.slice/app-curl.scope',
    ...extra,
  })) as OwnerRecord;
}

/** The record put back together from what the compactor kept. */
function whole(record: OwnerRecord, compactor: OwnerCompactor): OwnerRecord {
  const { process, claim, ...socket } = compactor.compact(record);
  expect(claim).toBeNull(); // the owner index files it
  return { ...socket, family: record.family, ...process };
}

describe('OwnerCompactor', () => {
  it('keeps every field of the record (family aside: the join does not use it)', () => {
    const compactor = new OwnerCompactor();
    const record = received(40000, { netns: 4026532000, container: 'web' });
    expect(whole(record, compactor)).toEqual(record);
    const bare = received(40001, { exe: null, cmdline: null, remoteIp: null, remotePort: null, cookie: null });
    delete bare.parents;
    delete bare.cgroup;
    const { process } = compactor.compact(bare);
    expect(whole(bare, compactor)).toEqual(bare);
    expect('parents' in process).toBe(false);
    expect('cgroup' in process).toBe(false);
  });

  it('sockets of one process share one process part; any difference in it gets its own', () => {
    const compactor = new OwnerCompactor();
    const first = compactor.compact(received(40000));
    const second = compactor.compact(received(40001, { how: 'udp-send', remoteIp: '198.51.100.1', ts: 5 }));
    expect(second.process).toBe(first.process);
    expect(second.localIp).toBe(first.localIp);
    for (const change of [
      { parents: [{ pid: 7, name: 'sshd' }] },
      { parents: undefined },
      { startTime: 10 },
      { netns: 4026532001 },
      { cgroup: '/system.slice/other.service' },
      { exe: null },
    ] satisfies Array<Partial<OwnerRecord>>) {
      const record = received(40002, change);
      const other = compactor.compact(record);
      expect(other.process, JSON.stringify(change)).not.toBe(first.process);
      expect(whole(record, compactor)).toEqual(record);
    }
  });

  it('stays bounded: past its limit it starts over and still returns equal records', () => {
    const compactor = new OwnerCompactor();
    for (let i = 0; i < 5_000; i++) {
      const record = received(1024 + i, { parents: [{ pid: i, name: 'p' }], cmdline: `job ${i}`, localIp: `10.0.${i >> 8}.${i & 255}` });
      expect(whole(record, compactor)).toEqual(record);
    }
  });
});
