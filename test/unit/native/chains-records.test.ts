// Decoding of the owner objects' records (bpf/snitchmap.h owners section), address normalization,
// close records completed by cookie, delivery before/after listen(), and the /proc poller. Records
// are built from native/generated/abi.ts (the header's BTF), never from offsets written here.
import { describe, expect, it } from 'vitest';
import { formatIpv6, normalizeEndpoints } from '../../../native/owners-address.js';
import { CookieEndpoints } from '../../../native/owners-cookies.js';
import { OwnerDelivery } from '../../../native/owners-delivery.js';
import { ProcPoller } from '../../../native/procfs-poller.js';
import {
  OWNER_EVENT_SIZE,
  PROCESS_EVENT_SIZE,
  PROCESS_EVENT_SIZE_CGROUP,
  SM_EVENT_EXEC,
  SM_EVENT_EXIT,
  SM_EVENT_OWNER,
  SM_EVENT_SOCK_CLOSE,
  decodeBatch,
  decodeIteratorOutput,
} from '../../../native/owners-decode.js';
import { SM_EVENT_HEADER, SM_HOW_CONNECT, SM_HOW_IO, SM_HOW_UDP_SEND, SM_OWNER_EVENT, SM_OWNER_ID, SM_OWNER_REMOTE_KNOWN, SM_PROCESS_EVENT } from '../../../native/generated/abi.js';

const clock = (ns: bigint): number => Number(ns / 1_000_000n);

function v6(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => out.writeUInt16BE(parseInt(group, 16), index * 2));
  return out;
}

/** struct sm_owner_id at `at`: pid, uid, start_ns, comm. */
function writeId(record: Buffer, at: number, id: { pid: number; uid: number; startNs: bigint; comm: string }): void {
  record.writeUInt32LE(id.pid, at + SM_OWNER_ID.pid);
  record.writeUInt32LE(id.uid, at + SM_OWNER_ID.uid);
  record.writeBigUInt64LE(id.startNs, at + SM_OWNER_ID.start_ns);
  record.write(id.comm, at + SM_OWNER_ID.comm);
}

function ownerRecord(fields: { kind?: number; family: number; local: Buffer; remote?: Buffer; lport: number; rport?: number; how?: number; cookie?: bigint }): Buffer {
  const record = Buffer.alloc(OWNER_EVENT_SIZE);
  record.writeUInt32LE(fields.kind ?? SM_EVENT_OWNER, SM_EVENT_HEADER.kind);
  record.writeBigUInt64LE(5_000_000n, SM_EVENT_HEADER.ts_ns);
  record.writeBigUInt64LE(fields.cookie ?? 77n, SM_OWNER_EVENT.cookie);
  writeId(record, SM_OWNER_EVENT.id, { pid: 4242, uid: 1000, startNs: 123_450_000_000n, comm: 'curl' });
  record.writeUInt8(fields.family, SM_OWNER_EVENT.family);
  record.writeUInt8(6, SM_OWNER_EVENT.proto);
  record.writeUInt8(fields.how ?? SM_HOW_CONNECT, SM_OWNER_EVENT.how);
  record.writeUInt8(fields.remote ? SM_OWNER_REMOTE_KNOWN : 0, SM_OWNER_EVENT.flags);
  record.writeUInt16LE(fields.lport, SM_OWNER_EVENT.local_port);
  record.writeUInt16LE(fields.rport ?? 0, SM_OWNER_EVENT.remote_port);
  fields.local.copy(record, SM_OWNER_EVENT.local_addr);
  fields.remote?.copy(record, SM_OWNER_EVENT.remote_addr);
  return record;
}

/** struct sm_process_event of `size` bytes (the 56-byte form predates cgroup_id and netns). */
function processRecord(size: number, kind: number, fields: { pid: number; ppid: number; comm: string; cgroupId?: bigint; netns?: number }): Buffer {
  const record = Buffer.alloc(size);
  record.writeUInt32LE(kind, SM_EVENT_HEADER.kind);
  record.writeBigUInt64LE(9_000_000n, SM_EVENT_HEADER.ts_ns);
  writeId(record, SM_PROCESS_EVENT.id, { pid: fields.pid, uid: 1000, startNs: 123_450_000_000n, comm: fields.comm });
  record.writeUInt32LE(fields.ppid, SM_PROCESS_EVENT.ppid);
  if (fields.cgroupId !== undefined) record.writeBigUInt64LE(fields.cgroupId, SM_PROCESS_EVENT.cgroup_id);
  if (fields.netns !== undefined) record.writeUInt32LE(fields.netns, SM_PROCESS_EVENT.netns);
  return record;
}

function frame(...records: Buffer[]): Buffer {
  return Buffer.concat(
    records.map((record) => {
      const header = Buffer.alloc(8);
      header.writeUInt32LE(record.length, 0);
      return Buffer.concat([header, record, Buffer.alloc((8 - (record.length % 8)) % 8)]);
    }),
  );
}

describe('owner addresses', () => {
  it('format IPv6 per RFC 5952', () => {
    expect(formatIpv6(v6('fd5e:213:7b::2'))).toBe('fd5e:213:7b::2');
    expect(formatIpv6(v6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(v6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(v6('::'))).toBe('::');
    expect(formatIpv6(v6('::1'))).toBe('::1');
  });

  it('report IPv4-mapped sockets as IPv4, including a wildcard local end', () => {
    expect(normalizeEndpoints(6, v6('::ffff:a0a:1'), v6('::ffff:a0a:2'))).toEqual({ family: 4, localIp: '10.10.0.1', remoteIp: '10.10.0.2' });
    expect(normalizeEndpoints(6, v6('::'), v6('::ffff:a0a:2'))).toEqual({ family: 4, localIp: '0.0.0.0', remoteIp: '10.10.0.2' });
    expect(normalizeEndpoints(6, v6('::ffff:a0a:1'), null)).toEqual({ family: 4, localIp: '10.10.0.1', remoteIp: null });
    expect(normalizeEndpoints(6, v6('::'), null)).toEqual({ family: 6, localIp: '::', remoteIp: null });
    expect(normalizeEndpoints(6, v6('fd00::1'), v6('::ffff:a0a:2'))).toEqual({ family: 6, localIp: 'fd00::1', remoteIp: '::ffff:10.10.0.2' });
  });
});

describe('owner records', () => {
  it('decode a framed batch of owner, close and process records', () => {
    const v4 = ownerRecord({ family: 4, local: Buffer.from([10, 0, 0, 1]), remote: Buffer.from([10, 0, 0, 2]), lport: 40000, rport: 443 });
    const mapped = ownerRecord({ family: 6, local: v6('::ffff:7f00:1'), remote: v6('::ffff:7f00:1'), lport: 8080, rport: 51000, how: SM_HOW_IO });
    const udp = ownerRecord({ family: 6, local: v6('::'), lport: 5353, how: SM_HOW_UDP_SEND, cookie: 0n });
    const close = ownerRecord({ kind: SM_EVENT_SOCK_CLOSE, family: 4, local: Buffer.from([10, 0, 0, 1]), remote: Buffer.from([10, 0, 0, 2]), lport: 0, rport: 443 });
    const exit = processRecord(PROCESS_EVENT_SIZE, SM_EVENT_EXIT, { pid: 4242, ppid: 1, comm: 'a-very-long-com' });
    const out = decodeBatch(frame(v4, mapped, udp, close, exit), clock);
    expect(out.malformed).toBe(0);
    expect(out.owners).toEqual([
      { ts: 5, how: 'connect', cookie: '77', family: 4, proto: 6, localIp: '10.0.0.1', localPort: 40000, remoteIp: '10.0.0.2', remotePort: 443, pid: 4242, uid: 1000, startTime: 12345, comm: 'curl' },
      expect.objectContaining({ how: 'io', family: 4, localIp: '127.0.0.1', remoteIp: '127.0.0.1', localPort: 8080, remotePort: 51000 }),
      expect.objectContaining({ how: 'udp-send', cookie: null, family: 6, localIp: '::', localPort: 5353, remoteIp: null, remotePort: null }),
    ]);
    expect(out.closes).toEqual([
      { cookie: '77', end: { ifindex: 0, family: 4, proto: 6, localIp: '10.0.0.1', localPort: 0, remoteIp: '10.0.0.2', remotePort: 443, ts: 5, reason: 'close' } },
    ]);
    expect(out.processes).toEqual([{ kind: 'exit', ts: 9, pid: 4242, uid: 1000, startTime: 12345, comm: 'a-very-long-com', ppid: 1 }]);
  });

  it('decode the cgroup id and netns inode appended to process records (72 bytes), and accept 56', () => {
    const exec = processRecord(PROCESS_EVENT_SIZE_CGROUP, SM_EVENT_EXEC, { pid: 77, ppid: 76, comm: 'curl', cgroupId: 0x1_0000_0001n, netns: 4026531840 });
    const old = exec.subarray(0, PROCESS_EVENT_SIZE);
    const noNetns = processRecord(PROCESS_EVENT_SIZE_CGROUP, SM_EVENT_EXEC, { pid: 77, ppid: 76, comm: 'curl', cgroupId: 0x1_0000_0001n, netns: 0 });
    const out = decodeBatch(frame(exec, old, noNetns), clock);
    expect(out.malformed).toBe(0);
    expect(out.processes[0]).toMatchObject({ kind: 'exec', pid: 77, ppid: 76, cgroupId: '4294967297', netns: 4026531840 });
    expect(out.processes[1]).not.toHaveProperty('cgroupId');
    expect(out.processes[2]).toMatchObject({ cgroupId: '4294967297', netns: null });
  });

  it('count truncated, unknown and bad-family records instead of throwing', () => {
    const badFamily = ownerRecord({ family: 9, local: Buffer.alloc(4), lport: 1 });
    const badHow = ownerRecord({ family: 4, local: Buffer.alloc(4), lport: 1, how: 99 });
    const unknown = Buffer.alloc(OWNER_EVENT_SIZE);
    unknown.writeUInt32LE(3, SM_EVENT_HEADER.kind);
    const batch = Buffer.concat([frame(badFamily, badHow, unknown, Buffer.alloc(10)), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 1])]);
    const out = decodeBatch(batch, clock);
    expect(out.owners).toEqual([]);
    expect(out.malformed).toBe(5);
    expect(decodeIteratorOutput(Buffer.alloc(OWNER_EVENT_SIZE + 3), clock).malformed).toBe(2);
  });
});

describe('close records completed by cookie', () => {
  const owner = { ts: 1, how: 'connect' as const, cookie: '9', family: 4 as const, proto: 6, localIp: '10.0.0.1', localPort: 40000, remoteIp: '10.0.0.2', remotePort: 443, pid: 1, comm: 'x', uid: 0, startTime: null };
  const end = { ifindex: 0, family: 4 as const, proto: 6, localIp: '10.0.0.1', localPort: 0, remoteIp: '10.0.0.2', remotePort: 443, ts: 2, reason: 'close' as const };

  it('fill a released port from the owner with the same cookie, count the rest', () => {
    const cookies = new CookieEndpoints(2);
    cookies.remember([owner]);
    expect(cookies.complete([{ cookie: '9', end }])).toEqual([{ ...end, localPort: 40000 }]);
    expect(cookies.complete([{ cookie: '9', end }, { cookie: null, end }])).toEqual([]);
    expect(cookies.unmatched).toBe(2);
    expect(cookies.complete([{ cookie: null, end: { ...end, localPort: 5 } }])).toEqual([{ ...end, localPort: 5 }]);
  });

  it('forget the oldest sockets beyond capacity', () => {
    const cookies = new CookieEndpoints(2);
    cookies.remember([owner, { ...owner, cookie: '10' }, { ...owner, cookie: '11' }]);
    expect(cookies.complete([{ cookie: '9', end }])).toEqual([]);
    expect(cookies.complete([{ cookie: '11', end }])).toHaveLength(1);
  });
});

describe('owner delivery', () => {
  const owner = { ts: 1, how: 'connect' as const, cookie: '9', family: 4 as const, proto: 6, localIp: '10.0.0.1', localPort: 40000, remoteIp: '10.0.0.2', remotePort: 443, pid: 1, comm: 'x', uid: 0, startTime: null };
  const records = (count: number) => ({ owners: Array.from({ length: count }, () => owner), closes: [], processes: [], malformed: 1 });

  it('queue records until listen(), drop and count beyond capacity', () => {
    const delivery = new OwnerDelivery(3);
    delivery.deliver(records(2));
    delivery.deliver(records(2));
    const seen: number[] = [];
    delivery.listen({ owners: (owners) => seen.push(owners.length) });
    delivery.deliver(records(5));
    expect(seen).toEqual([2, 5]);
    expect(delivery.dropped).toBe(2);
    expect(delivery.malformed).toBe(3);
  });

  it('poll /proc for sockets not seen at start', () => {
    let scans = 0;
    const reported: number[] = [];
    const poller = new ProcPoller(() => (scans++ === 0 ? [owner] : [owner, { ...owner, localPort: 40001 }]), (owners) => reported.push(...owners.map((o) => o.localPort)), 60_000);
    poller.start();
    poller.poll();
    poller.poll();
    poller.stop();
    expect(reported).toEqual([40001]);
  });
});
