// Decodes the owner objects' records (bpf/snitchmap.h, owners/process section) into the shapes of
// native/api.ts. Offsets, sizes and kinds come from native/generated/abi.ts (generated from the
// header's BTF by scripts/gen-abi.mjs).

import type { OwnerHow } from '../src/shared/capture.js';
import type { KernelOwner, ProcessEvent } from './api.js';
import {
  SM_EVENT_EXEC,
  SM_EVENT_EXIT,
  SM_EVENT_HEADER,
  SM_EVENT_OWNER,
  SM_EVENT_SOCK_CLOSE,
  SM_FAMILY_V4,
  SM_FAMILY_V6,
  SM_HOW_ACCEPT,
  SM_HOW_BIND,
  SM_HOW_CONNECT,
  SM_HOW_CREATE,
  SM_HOW_EXISTING,
  SM_HOW_IO,
  SM_HOW_LISTEN,
  SM_HOW_UDP_RECV,
  SM_HOW_UDP_SEND,
  SM_OWNER_EVENT,
  SM_OWNER_EVENT_FIELD_SIZE,
  SM_OWNER_ID,
  SM_OWNER_ID_FIELD_SIZE,
  SM_OWNER_REMOTE_KNOWN,
  SM_PROCESS_EVENT,
} from './generated/abi.js';
import { normalizeEndpoints } from './owners-address.js';
import type { ClosedSocket } from './owners-cookies.js';

export { SM_EVENT_EXEC, SM_EVENT_EXIT, SM_EVENT_OWNER, SM_EVENT_SOCK_CLOSE };

export const OWNER_EVENT_SIZE = SM_OWNER_EVENT.SIZE;
/** Objects built before the cgroup id and netns inode were appended (issue 14) send records cut there. */
export const PROCESS_EVENT_SIZE = SM_PROCESS_EVENT.cgroup_id;
export const PROCESS_EVENT_SIZE_CGROUP = SM_PROCESS_EVENT.SIZE;

/** sm_owner_how → the contract's name. */
const HOWS: ReadonlyMap<number, OwnerHow> = new Map([
  [SM_HOW_CONNECT, 'connect'],
  [SM_HOW_ACCEPT, 'accept'],
  [SM_HOW_UDP_SEND, 'udp-send'],
  [SM_HOW_UDP_RECV, 'udp-recv'],
  [SM_HOW_LISTEN, 'listen'],
  [SM_HOW_BIND, 'bind'],
  [SM_HOW_IO, 'io'],
  [SM_HOW_EXISTING, 'existing'],
  [SM_HOW_CREATE, 'create'],
]);

/** /proc/PID/stat field 22 is start_boottime in USER_HZ ticks; USER_HZ is 100 on every Linux ABI. */
const NS_PER_TICK = 10_000_000n;

/** Converts bpf_ktime_get_ns (CLOCK_MONOTONIC) to milliseconds since the epoch. */
export type MonotonicToEpoch = (ns: bigint) => number;

export function systemClock(): MonotonicToEpoch {
  return (ns) => Date.now() - Number(process.hrtime.bigint() - ns) / 1e6;
}

export interface DecodedRecords {
  owners: KernelOwner[];
  closes: ClosedSocket[];
  processes: ProcessEvent[];
  /** Records too short or of an unknown kind: counted, never thrown. */
  malformed: number;
}

export function emptyRecords(): DecodedRecords {
  return { owners: [], closes: [], processes: [], malformed: 0 };
}

function comm(record: Buffer, offset: number): string {
  const limit = offset + SM_OWNER_ID_FIELD_SIZE.comm;
  const end = record.indexOf(0, offset);
  const stop = end < 0 || end > limit ? limit : end;
  return record.toString('utf8', offset, stop);
}

function startTicks(ns: bigint): number | null {
  return ns === 0n ? null : Number(ns / NS_PER_TICK);
}

function cookieText(cookie: bigint): string | null {
  return cookie === 0n ? null : cookie.toString();
}

const O = SM_OWNER_EVENT;
const P = SM_PROCESS_EVENT;
const ADDRESS = SM_OWNER_EVENT_FIELD_SIZE.local_addr;

function decodeOwnerEvent(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  const kind = record.readUInt32LE(SM_EVENT_HEADER.kind);
  const ts = toEpoch(record.readBigUInt64LE(SM_EVENT_HEADER.ts_ns));
  const cookie = record.readBigUInt64LE(O.cookie);
  const familyByte = record.readUInt8(O.family);
  const remoteKnown = (record.readUInt8(O.flags) & SM_OWNER_REMOTE_KNOWN) !== 0;
  if (familyByte !== SM_FAMILY_V4 && familyByte !== SM_FAMILY_V6) {
    out.malformed++;
    return;
  }
  const local = record.subarray(O.local_addr, O.local_addr + ADDRESS);
  const endpoints = normalizeEndpoints(familyByte, local, remoteKnown ? record.subarray(O.remote_addr, O.remote_addr + ADDRESS) : null);
  const proto = record.readUInt8(O.proto);
  const localPort = record.readUInt16LE(O.local_port);
  const remotePort = remoteKnown ? record.readUInt16LE(O.remote_port) : null;
  if (kind === SM_EVENT_SOCK_CLOSE) {
    out.closes.push({
      cookie: cookieText(cookie),
      end: {
        ifindex: 0,
        family: endpoints.family,
        proto,
        localIp: endpoints.localIp,
        localPort,
        remoteIp: endpoints.remoteIp ?? (endpoints.family === 4 ? '0.0.0.0' : '::'),
        remotePort: remotePort ?? 0,
        ts,
        reason: 'close',
      },
    });
    return;
  }
  const how = HOWS.get(record.readUInt8(O.how));
  if (!how) {
    out.malformed++;
    return;
  }
  out.owners.push({
    ts,
    how,
    cookie: cookieText(cookie),
    family: endpoints.family,
    proto,
    localIp: endpoints.localIp,
    localPort,
    remoteIp: endpoints.remoteIp,
    remotePort,
    pid: record.readUInt32LE(O.id + SM_OWNER_ID.pid),
    uid: record.readUInt32LE(O.id + SM_OWNER_ID.uid),
    startTime: startTicks(record.readBigUInt64LE(O.id + SM_OWNER_ID.start_ns)),
    comm: comm(record, O.id + SM_OWNER_ID.comm),
  });
}

function decodeProcessEvent(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  out.processes.push({
    kind: record.readUInt32LE(SM_EVENT_HEADER.kind) === SM_EVENT_EXEC ? 'exec' : 'exit',
    ts: toEpoch(record.readBigUInt64LE(SM_EVENT_HEADER.ts_ns)),
    pid: record.readUInt32LE(P.id + SM_OWNER_ID.pid),
    uid: record.readUInt32LE(P.id + SM_OWNER_ID.uid),
    startTime: startTicks(record.readBigUInt64LE(P.id + SM_OWNER_ID.start_ns)) ?? 0,
    comm: comm(record, P.id + SM_OWNER_ID.comm),
    ppid: record.readUInt32LE(P.ppid),
    ...(record.length >= PROCESS_EVENT_SIZE_CGROUP
      ? { cgroupId: record.readBigUInt64LE(P.cgroup_id).toString(), netns: record.readUInt32LE(P.netns) || null }
      : {}),
  });
}

/** One record (without framing). */
export function decodeRecord(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  const kind = record.length >= SM_EVENT_HEADER.SIZE ? record.readUInt32LE(SM_EVENT_HEADER.kind) : -1;
  if ((kind === SM_EVENT_OWNER || kind === SM_EVENT_SOCK_CLOSE) && record.length >= OWNER_EVENT_SIZE) {
    decodeOwnerEvent(record, toEpoch, out);
  } else if ((kind === SM_EVENT_EXEC || kind === SM_EVENT_EXIT) && record.length >= PROCESS_EVENT_SIZE) {
    decodeProcessEvent(record, toEpoch, out);
  } else {
    out.malformed++;
  }
}

/** A ring-buffer batch from the addon: [u32 length][u32 0][record][pad to 8] repeated. */
export function decodeBatch(batch: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords = emptyRecords()): DecodedRecords {
  let offset = 0;
  while (offset + 8 <= batch.length) {
    const length = batch.readUInt32LE(offset);
    const start = offset + 8;
    if (start + length > batch.length) {
      out.malformed++;
      break;
    }
    decodeRecord(batch.subarray(start, start + length), toEpoch, out);
    offset = start + ((length + 7) & ~7);
  }
  return out;
}

/** The iter/task_file output: back-to-back sm_owner_event records. */
export function decodeIteratorOutput(data: Buffer, toEpoch: MonotonicToEpoch): DecodedRecords {
  const out = emptyRecords();
  for (let offset = 0; offset + OWNER_EVENT_SIZE <= data.length; offset += OWNER_EVENT_SIZE) {
    decodeRecord(data.subarray(offset, offset + OWNER_EVENT_SIZE), toEpoch, out);
  }
  if (data.length % OWNER_EVENT_SIZE !== 0) out.malformed++;
  return out;
}
