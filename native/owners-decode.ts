// Decodes the owner objects' records (bpf/snitchmap.h, owners/process section) into the shapes of
// native/api.ts. Offsets mirror the C structs; test/unit/native/owners-decode.test.ts pins them.

import type { OwnerHow } from '../src/shared/capture.js';
import type { KernelOwner, ProcessEvent } from './api.js';
import { normalizeEndpoints } from './owners-address.js';
import type { ClosedSocket } from './owners-cookies.js';

export const SM_EVENT_OWNER = 16;
export const SM_EVENT_SOCK_CLOSE = 17;
export const SM_EVENT_EXEC = 18;
export const SM_EVENT_EXIT = 19;

export const OWNER_EVENT_SIZE = 96;
export const PROCESS_EVENT_SIZE = 56;
/** With the appended cgroup id and netns inode (issue 14); objects built before carry 56 bytes. */
export const PROCESS_EVENT_SIZE_CGROUP = 72;
const REMOTE_KNOWN = 1;

/** sm_owner_how, index = C value. */
const HOWS: Array<OwnerHow | undefined> = [undefined, 'connect', 'accept', 'udp-send', 'udp-recv', 'listen', 'bind', 'io', 'existing', 'create'];

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
  const end = record.indexOf(0, offset);
  const stop = end < 0 || end > offset + 16 ? offset + 16 : end;
  return record.toString('utf8', offset, stop);
}

function startTicks(ns: bigint): number | null {
  return ns === 0n ? null : Number(ns / NS_PER_TICK);
}

function decodeOwnerEvent(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  const kind = record.readUInt32LE(0);
  const ts = toEpoch(record.readBigUInt64LE(8));
  const cookie = record.readBigUInt64LE(16);
  const familyByte = record.readUInt8(56);
  const remoteKnown = (record.readUInt8(59) & REMOTE_KNOWN) !== 0;
  if (familyByte !== 4 && familyByte !== 6) {
    out.malformed++;
    return;
  }
  const endpoints = normalizeEndpoints(familyByte, record.subarray(64, 80), remoteKnown ? record.subarray(80, 96) : null);
  const proto = record.readUInt8(57);
  const localPort = record.readUInt16LE(60);
  const remotePort = remoteKnown ? record.readUInt16LE(62) : null;
  if (kind === SM_EVENT_SOCK_CLOSE) {
    out.closes.push({
      cookie: cookie === 0n ? null : cookie.toString(),
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
  const how = HOWS[record.readUInt8(58)];
  if (!how) {
    out.malformed++;
    return;
  }
  out.owners.push({
    ts,
    how,
    cookie: cookie === 0n ? null : cookie.toString(),
    family: endpoints.family,
    proto,
    localIp: endpoints.localIp,
    localPort,
    remoteIp: endpoints.remoteIp,
    remotePort,
    pid: record.readUInt32LE(24),
    uid: record.readUInt32LE(28),
    startTime: startTicks(record.readBigUInt64LE(32)),
    comm: comm(record, 40),
  });
}

function decodeProcessEvent(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  out.processes.push({
    kind: record.readUInt32LE(0) === SM_EVENT_EXEC ? 'exec' : 'exit',
    ts: toEpoch(record.readBigUInt64LE(8)),
    pid: record.readUInt32LE(16),
    uid: record.readUInt32LE(20),
    startTime: startTicks(record.readBigUInt64LE(24)) ?? 0,
    comm: comm(record, 32),
    ppid: record.readUInt32LE(48),
    ...(record.length >= PROCESS_EVENT_SIZE_CGROUP
      ? { cgroupId: record.readBigUInt64LE(56).toString(), netns: record.readUInt32LE(64) || null }
      : {}),
  });
}

/** One record (without framing). */
export function decodeRecord(record: Buffer, toEpoch: MonotonicToEpoch, out: DecodedRecords): void {
  const kind = record.length >= 4 ? record.readUInt32LE(0) : -1;
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
