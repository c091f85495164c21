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

describe('OwnerCompactor', () => {
  it('keeps every field of the record as it was', () => {
    const compactor = new OwnerCompactor();
    const record = received(40000, { netns: 4026532000, container: 'web' });
    expect(compactor.compact(record)).toEqual(record);
    const bare = received(40001, { exe: null, cmdline: null });
    delete bare.parents;
    delete bare.cgroup;
    const compacted = compactor.compact(bare);
    expect(compacted).toEqual(bare);
    expect('parents' in compacted).toBe(false);
    expect('cgroup' in compacted).toBe(false);
  });

  it('records of one process share one parents list; a different lineage gets its own', () => {
    const compactor = new OwnerCompactor();
    const first = compactor.compact(received(40000));
    const second = compactor.compact(received(40001));
    expect(second.parents).toBe(first.parents);
    const other = compactor.compact(received(40002, { parents: [{ pid: 7, name: 'sshd' }] }));
    expect(other.parents).not.toBe(first.parents);
    expect(other.parents).toEqual([{ pid: 7, name: 'sshd' }]);
  });

  it('stays bounded: past its limit it starts over and still returns equal records', () => {
    const compactor = new OwnerCompactor();
    for (let i = 0; i < 5_000; i++) {
      const record = received(1024 + i, { parents: [{ pid: i, name: 'p' }], cmdline: `job ${i}` });
      expect(compactor.compact(record)).toEqual(record);
    }
  });
});
