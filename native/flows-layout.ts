// Decoders for the structs of bpf/snitchmap.h (flows section). Every offset, size and constant comes
// from native/generated/abi.ts, generated from the header's BTF (scripts/gen-abi.mjs): nothing here
// restates the C layout.

import type { DnsPayload, FlowEnd, FlowKey, FlowSample } from '../src/shared/capture.js';
import type { Family } from '../src/shared/contract.js';
import { formatAddress } from './flows-address.js';
import {
  SM_DIR_TX,
  SM_DNS_EVENT,
  SM_DNS_MAX,
  SM_END_RST,
  SM_EVENT_DNS,
  SM_EVENT_FLOW_DATA,
  SM_EVENT_FLOW_END,
  SM_EVENT_FLOW_OPEN,
  SM_EVENT_FLOW_REUSE,
  SM_EVENT_HEADER,
  SM_EVENT_TRAFFIC,
  SM_FLOW_EVENT,
  SM_FLOW_KEY,
  SM_FLOW_PAYLOAD,
  SM_FLOW_REUSE_EVENT,
  SM_FLOW_VALUE,
  SM_INITIATOR_LOCAL,
  SM_INITIATOR_REMOTE,
  SM_LINK_ETHERNET,
  SM_LINK_NONE,
  SM_STAT_COUNT,
  SM_STAT_DNS_COPIED,
  SM_STAT_EXT_LIMIT,
  SM_STAT_FLOWS_CREATED,
  SM_STAT_FRAGMENT,
  SM_STAT_INSERT_FAILED,
  SM_STAT_NOT_IP,
  SM_STAT_PACKETS,
  SM_STAT_PARSE_ERROR,
  SM_STAT_REUSED,
  SM_STAT_RINGBUF_FULL,
} from './generated/abi.js';

export const FLOW_KEY_SIZE = SM_FLOW_KEY.SIZE;
export const FLOW_VALUE_SIZE = SM_FLOW_VALUE.SIZE;
export const DNS_MAX = SM_DNS_MAX;

/** Indices of the per-CPU `stats` array (enum sm_stat), by the names FlowStats.counters uses. */
export const STAT = {
  ringbufFull: SM_STAT_RINGBUF_FULL,
  flowsCreated: SM_STAT_FLOWS_CREATED,
  insertFailed: SM_STAT_INSERT_FAILED,
  parseError: SM_STAT_PARSE_ERROR,
  notIp: SM_STAT_NOT_IP,
  fragment: SM_STAT_FRAGMENT,
  extLimit: SM_STAT_EXT_LIMIT,
  dnsCopied: SM_STAT_DNS_COPIED,
  packets: SM_STAT_PACKETS,
  reused: SM_STAT_REUSED,
} as const;
export const STAT_COUNT = SM_STAT_COUNT;
export type FlowStatName = keyof typeof STAT;

export const LINK_ETHERNET = SM_LINK_ETHERNET;
export const LINK_NONE = SM_LINK_NONE;

/** Converts bpf_ktime_get_ns (CLOCK_MONOTONIC; so is process.hrtime) to ms since the epoch. */
export type MonotonicToEpoch = (monotonicNs: bigint) => number;

export function monotonicToEpochNow(): MonotonicToEpoch {
  const epochMs = Date.now();
  const monotonicNs = process.hrtime.bigint();
  return (ns) => epochMs - Number(monotonicNs - ns) / 1e6;
}

export function decodeFlowKey(buffer: Buffer, offset: number): FlowKey {
  const family = buffer.readUInt8(offset + SM_FLOW_KEY.family) as Family;
  return {
    ifindex: buffer.readUInt32LE(offset + SM_FLOW_KEY.ifindex),
    family,
    proto: buffer.readUInt8(offset + SM_FLOW_KEY.proto),
    localPort: buffer.readUInt16LE(offset + SM_FLOW_KEY.local_port),
    remotePort: buffer.readUInt16LE(offset + SM_FLOW_KEY.remote_port),
    localIp: formatAddress(family, buffer, offset + SM_FLOW_KEY.local_addr),
    remoteIp: formatAddress(family, buffer, offset + SM_FLOW_KEY.remote_addr),
  };
}

function initiatorOf(value: number): FlowSample['initiator'] {
  if (value === SM_INITIATOR_LOCAL) return 'local';
  if (value === SM_INITIATOR_REMOTE) return 'remote';
  return 'unknown';
}

function cookieText(value: bigint): string | null {
  return value === 0n ? null : value.toString();
}

/** One sm_flow_value at `v` of `values`, for the key at `k` of `keys`. */
function decodeFlowRow(keys: Buffer, k: number, values: Buffer, v: number, toEpoch: MonotonicToEpoch): FlowSample {
  return {
    ...decodeFlowKey(keys, k),
    txBytes: Number(values.readBigUInt64LE(v + SM_FLOW_VALUE.tx_bytes)),
    rxBytes: Number(values.readBigUInt64LE(v + SM_FLOW_VALUE.rx_bytes)),
    txPackets: Number(values.readBigUInt64LE(v + SM_FLOW_VALUE.tx_packets)),
    rxPackets: Number(values.readBigUInt64LE(v + SM_FLOW_VALUE.rx_packets)),
    firstSeen: Math.round(toEpoch(values.readBigUInt64LE(v + SM_FLOW_VALUE.first_seen_ns))),
    // the kernel's SM_FLOW_PAYLOAD bit is its own bookkeeping, not a TCP flag
    tcpFlags: values.readUInt32LE(v + SM_FLOW_VALUE.tcp_flags) & ~SM_FLOW_PAYLOAD,
    initiator: initiatorOf(values.readUInt32LE(v + SM_FLOW_VALUE.initiator)),
    cookie: cookieText(values.readBigUInt64LE(v + SM_FLOW_VALUE.cookie)),
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
  const key = decodeFlowKey(record, SM_DNS_EVENT.key);
  const length = Math.min(record.readUInt16LE(SM_DNS_EVENT.length), SM_DNS_MAX, record.length - SM_DNS_EVENT.payload);
  return {
    ts,
    direction: record.readUInt16LE(SM_DNS_EVENT.direction) === SM_DIR_TX ? 'tx' : 'rx',
    proto: key.proto,
    localIp: key.localIp,
    localPort: key.localPort,
    remoteIp: key.remoteIp,
    remotePort: key.remotePort,
    payload: record.subarray(SM_DNS_EVENT.payload, SM_DNS_EVENT.payload + Math.max(0, length)).toString('base64'),
    truncated: record.readUInt16LE(SM_DNS_EVENT.truncated) !== 0,
  };
}

/** Every flow record starts with the header and the key (the decoder needs both to say anything). */
const MIN_RECORD = SM_FLOW_EVENT.key + FLOW_KEY_SIZE;

/** One ring-buffer wakeup: records packed as [u32 length][u32 0][record][pad to 8] (native/src/ring_buffer.cc). */
export function decodeFlowEvents(batch: Buffer, toEpoch: MonotonicToEpoch): FlowEventBatch {
  const out: FlowEventBatch = { opens: [], keysToRead: [], ends: [], dns: [], unknown: 0 };
  const toRead = new Map<string, Buffer>();
  const readLater = (record: Buffer): void => {
    const raw = record.subarray(SM_FLOW_EVENT.key, SM_FLOW_EVENT.key + FLOW_KEY_SIZE);
    toRead.set(raw.toString('latin1'), Buffer.from(raw));
  };
  let offset = 0;
  while (offset + 8 <= batch.length) {
    const length = batch.readUInt32LE(offset);
    const record = batch.subarray(offset + 8, offset + 8 + length);
    offset += 8 + ((length + 7) & ~7);
    if (record.length < MIN_RECORD) {
      out.unknown++;
      continue;
    }
    const kind = record.readUInt32LE(SM_EVENT_HEADER.kind);
    const ts = Math.round(toEpoch(record.readBigUInt64LE(SM_EVENT_HEADER.ts_ns)));
    if (kind === SM_EVENT_FLOW_OPEN) {
      out.opens.push(decodeFlowKey(record, SM_FLOW_EVENT.key));
      readLater(record);
    } else if (kind === SM_EVENT_FLOW_DATA || kind === SM_EVENT_TRAFFIC) {
      // A TCP flow's first payload (its row now holds the connection's first bytes), or the first
      // packet after an idle helper armed the wakeup: the row is read and delivered at once.
      readLater(record);
    } else if (kind === SM_EVENT_FLOW_END && record.length >= SM_FLOW_EVENT.SIZE) {
      readLater(record);
      const reason = record.readUInt32LE(SM_FLOW_EVENT.reason) === SM_END_RST ? 'rst' : 'fin';
      out.ends.push({ ...decodeFlowKey(record, SM_FLOW_EVENT.key), ts, reason });
    } else if (kind === SM_EVENT_FLOW_REUSE && record.length >= SM_FLOW_REUSE_EVENT.old + FLOW_VALUE_SIZE) {
      const final = decodeFlowRow(record, SM_FLOW_REUSE_EVENT.key, record, SM_FLOW_REUSE_EVENT.old, toEpoch);
      const { ifindex, family, proto, localIp, localPort, remoteIp, remotePort } = final;
      out.ends.push({ ifindex, family, proto, localIp, localPort, remoteIp, remotePort, ts, reason: 'reuse', final });
    } else if (kind === SM_EVENT_DNS && record.length >= SM_DNS_EVENT.payload) {
      out.dns.push(decodeDns(record, ts));
    } else {
      out.unknown++;
    }
  }
  out.keysToRead = [...toRead.values()];
  return out;
}

/**
 * Sums a per-CPU array of __u64 counters (`stats`, `sm_owner_stats`; readPerCpuArray: entry-major,
 * 8 bytes per CPU). test/unit/native/bpf-objects.test.ts checks both maps hold 8-byte values.
 */
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
