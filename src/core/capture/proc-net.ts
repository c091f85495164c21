// Parses /proc/net/{tcp,tcp6,udp,udp6}. Addresses are printed as 32-bit words in host byte order
// (%08X of a __be32 read as a native u32), so on little-endian machines each word's bytes are
// reversed; IPv6 is four such words.

import { endianness } from 'node:os';
import type { Family } from '../../shared/contract.js';
import { formatAddress } from './ip-format.js';

export const TCP_LISTEN = 0x0a;
/** TCP states that are not a live connection: TIME_WAIT, CLOSE, LISTEN. */
const TCP_NOT_LIVE = new Set([0x06, 0x07, TCP_LISTEN]);
/** UDP sockets show TCP_ESTABLISHED once connect()ed to a peer. */
const UDP_CONNECTED = 0x01;

export interface ProcSocket {
  proto: 'tcp' | 'udp';
  family: Family;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  state: number;
  uid: number;
  inode: number;
}

export function decodeHexAddress(hex: string, littleEndian = endianness() === 'LE'): Uint8Array | null {
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9A-Fa-f]+$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word++) {
    for (let i = 0; i < 4; i++) {
      const byte = parseInt(hex.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16);
      bytes[word * 4 + (littleEndian ? 3 - i : i)] = byte;
    }
  }
  return bytes;
}

function decodeEndpoint(text: string | undefined, littleEndian: boolean): { family: Family; ip: string; port: number } | null {
  if (text === undefined) return null;
  const [hexIp, hexPort] = text.split(':');
  if (hexIp === undefined || hexPort === undefined || !/^[0-9A-Fa-f]{4}$/.test(hexPort)) return null;
  const bytes = decodeHexAddress(hexIp, littleEndian);
  if (bytes === null) return null;
  return { ...formatAddress(bytes), port: parseInt(hexPort, 16) };
}

/** One data line of a /proc/net table, or null when it does not parse (counted by the caller). */
export function parseProcNetLine(line: string, proto: 'tcp' | 'udp', littleEndian = endianness() === 'LE'): ProcSocket | null {
  const fields = line.trim().split(/\s+/);
  const local = decodeEndpoint(fields[1], littleEndian);
  const remote = decodeEndpoint(fields[2], littleEndian);
  const state = parseInt(fields[3] ?? '', 16);
  const uid = Number(fields[7]);
  const inode = Number(fields[9]);
  if (local === null || remote === null || !Number.isInteger(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) {
    return null;
  }
  return {
    proto,
    family: local.family,
    localIp: local.ip,
    localPort: local.port,
    remoteIp: remote.ip,
    remotePort: remote.port,
    state,
    uid,
    inode,
  };
}

/** Parses a whole table (first line is the header). */
export function parseProcNet(text: string, proto: 'tcp' | 'udp', littleEndian = endianness() === 'LE'): { sockets: ProcSocket[]; errors: number } {
  const sockets: ProcSocket[] = [];
  let errors = 0;
  const lines = text.split('\n').slice(1);
  for (const line of lines) {
    if (line.trim() === '') continue;
    const socket = parseProcNetLine(line, proto, littleEndian);
    if (socket === null) errors++;
    else sockets.push(socket);
  }
  return { sockets, errors };
}

/** A socket that is one end of a connection (not listening, not a closed TCP leftover). */
export function isConnection(socket: ProcSocket): boolean {
  if (socket.remotePort === 0) return false;
  return socket.proto === 'tcp' ? !TCP_NOT_LIVE.has(socket.state) : socket.state === UDP_CONNECTED;
}
