// Decoders for the structs of bpf/snitchmap.h (flows section). Offsets mirror the C layout; the
// kernel tests and test/unit/native/flows-layout.test.ts check both sides agree.

import type { DnsPayload, FlowEnd, FlowKey, FlowSample } from '../src/shared/capture.js';
import type { Family } from '../src/shared/contract.js';
import { formatAddress } from './flows-address.js';

export const FLOW_KEY_SIZE = 44;
export const FLOW_VALUE_SIZE = 64;
export const EVENT_HEADER_SIZE = 16;
export const DNS_MAX = 512;

export const enum EventKind {
  FlowOpen = 1,
  FlowEnd = 2,
  Dns = 3,
  FlowReuse = 4,
}

/** sm_flow_reuse_event: header, key, u32 pad, then the old sm_flow_value. */
const REUSE_VALUE_OFFSET = EVENT_HEADER_SIZE + FLOW_KEY_SIZE + 4;

/** Indices of the per-CPU `stats` array (enum sm_stat). */
export const STAT = {
  ringbufFull: 0,
  flowsCreated: 1,
  insertFailed: 2,
  parseError: 3,
  notIp: 4,
  fragment: 5,
  extLimit: 6,
  dnsCopied: 7,
  packets: 8,
  reused: 9,
} as const;
export const STAT_COUNT = 10;
export type FlowStatName = keyof typeof STAT;

export const LINK_ETHERNET = 0;
export const LINK_NONE = 1;

/** Converts bpf_ktime_get_ns (CLOCK_MONOTONIC; so is process.hrtime) to ms since the epoch. */
export type MonotonicToEpoch = (monotonicNs: bigint) => number;

export function monotonicToEpochNow(): MonotonicToEpoch {
  const epochMs = Date.now();
  const monotonicNs = process.hrtime.bigint();
  return (ns) => epochMs - Number(monotonicNs - ns) / 1e6;
}

export function decodeFlowKey(buffer: Buffer, offset: number): FlowKey {
  const family = buffer.readUInt8(offset + 4) as Family;
  return {
    ifindex: buffer.readUInt32LE(offset),
    family,
    proto: buffer.readUInt8(offset + 5),
    localPort: buffer.readUInt16LE(offset + 6),
    remotePort: buffer.readUInt16LE(offset + 8),
    localIp: formatAddress(family, buffer, offset + 12),
    remoteIp: formatAddress(family, buffer, offset + 28),
  };
}

function initiatorOf(value: number): FlowSample['initiator'] {
  if (value === 1) return 'local';
  if (value === 2) return 'remote';
  return 'unknown';
}

function cookieText(value: bigint): string | null {
  return value === 0n ? null : value.toString();
}

/** One sm_flow_value at `v` of `values`, for the key at `k` of `keys`. */
function decodeFlowRow(keys: Buffer, k: number, values: Buffer, v: number, toEpoch: MonotonicToEpoch): FlowSample {
  return {
    ...decodeFlowKey(keys, k),
    txBytes: Number(values.readBigUInt64LE(v)),
    rxBytes: Number(values.readBigUInt64LE(v + 8)),
    txPackets: Number(values.readBigUInt64LE(v + 16)),
    rxPackets: Number(values.readBigUInt64LE(v + 24)),
    firstSeen: Math.round(toEpoch(values.readBigUInt64LE(v + 32))),
    tcpFlags: values.readUInt32LE(v + 40),
    initiator: initiatorOf(values.readUInt32LE(v + 44)),
    cookie: cookieText(values.readBigUInt64LE(v + 48)),
  };
}

/** Rows from lookupBatch('flows'). Counters are u64 in the kernel; JS numbers are exact below 2^53. */
export function decodeFlowRows(keys: Buffer, values: Buffer, count: number, toEpoch: MonotonicToEpoch): FlowSample[] {
  const rows: FlowSample[] = [];
  for (let i = 0; i < count; i++) rows.push(decodeFlowRow(keys, i * FLOW_KEY_SIZE, values, i * FLOW_VALUE_SIZE, toEpoch));
  return rows;
}

export interface FlowEventBatch {
  opens: FlowKey[];
  /** Raw keys (FLOW_KEY_SIZE bytes each, deduplicated) of the flows that opened or saw FIN/RST: rows to read now. */
  keysToRead: Buffer[];
  ends: FlowEnd[];
  dns: DnsPayload[];
  /** Records this decoder did not recognise (counted, never thrown). */
  unknown: number;
}

function decodeDns(record: Buffer, ts: number): DnsPayload {
  const key = decodeFlowKey(record, EVENT_HEADER_SIZE);
  const base = EVENT_HEADER_SIZE + FLOW_KEY_SIZE;
  const length = Math.min(record.readUInt16LE(base + 2), DNS_MAX, record.length - base - 8);
  return {
    ts,
    direction: record.readUInt16LE(base) === 1 ? 'tx' : 'rx',
    proto: key.proto,
    localIp: key.localIp,
    localPort: key.localPort,
    remoteIp: key.remoteIp,
    remotePort: key.remotePort,
    payload: record.subarray(base + 8, base + 8 + Math.max(0, length)).toString('base64'),
    truncated: record.readUInt16LE(base + 4) !== 0,
  };
}

/** One ring-buffer wakeup: records packed as [u32 length][u32 0][record][pad to 8]. */
export function decodeFlowEvents(batch: Buffer, toEpoch: MonotonicToEpoch): FlowEventBatch {
  const out: FlowEventBatch = { opens: [], keysToRead: [], ends: [], dns: [], unknown: 0 };
  const toRead = new Map<string, Buffer>();
  const readLater = (record: Buffer): void => {
    const raw = record.subarray(EVENT_HEADER_SIZE, EVENT_HEADER_SIZE + FLOW_KEY_SIZE);
    toRead.set(raw.toString('latin1'), Buffer.from(raw));
  };
  let offset = 0;
  while (offset + 8 <= batch.length) {
    const length = batch.readUInt32LE(offset);
    const record = batch.subarray(offset + 8, offset + 8 + length);
    offset += 8 + ((length + 7) & ~7);
    if (record.length < EVENT_HEADER_SIZE + FLOW_KEY_SIZE) {
      out.unknown++;
      continue;
    }
    const kind = record.readUInt32LE(0);
    const ts = Math.round(toEpoch(record.readBigUInt64LE(8)));
    if (kind === EventKind.FlowOpen) {
      out.opens.push(decodeFlowKey(record, EVENT_HEADER_SIZE));
      readLater(record);
    } else if (kind === EventKind.FlowEnd && record.length >= 64) {
      readLater(record);
      const reason = record.readUInt32LE(EVENT_HEADER_SIZE + FLOW_KEY_SIZE) === 2 ? 'rst' : 'fin';
      out.ends.push({ ...decodeFlowKey(record, EVENT_HEADER_SIZE), ts, reason });
    } else if (kind === EventKind.FlowReuse && record.length >= REUSE_VALUE_OFFSET + FLOW_VALUE_SIZE) {
      const final = decodeFlowRow(record, EVENT_HEADER_SIZE, record, REUSE_VALUE_OFFSET, toEpoch);
      const { ifindex, family, proto, localIp, localPort, remoteIp, remotePort } = final;
      out.ends.push({ ifindex, family, proto, localIp, localPort, remoteIp, remotePort, ts, reason: 'reuse', final });
    } else if (kind === EventKind.Dns && record.length >= EVENT_HEADER_SIZE + FLOW_KEY_SIZE + 8) {
      out.dns.push(decodeDns(record, ts));
    } else {
      out.unknown++;
    }
  }
  out.keysToRead = [...toRead.values()];
  return out;
}

/** Sums the per-CPU `stats` array (readPerCpuArray: entry-major, 8 bytes per CPU). */
export function sumPerCpuStats(buffer: Buffer, entries = STAT_COUNT): number[] {
  const perEntry = buffer.length / entries;
  const totals: number[] = [];
  for (let entry = 0; entry < entries; entry++) {
    let total = 0n;
    for (let offset = entry * perEntry; offset < (entry + 1) * perEntry; offset += 8) total += buffer.readBigUInt64LE(offset);
    totals.push(Number(total));
  }
  return totals;
}
