// /proc/net/{tcp,tcp6,udp,udp6} rows (decoded by src/common/proc-net.ts) as the engine's sockets:
// address text, v4-mapped IPv6 reported as IPv4.

import { HOST_IS_LITTLE_ENDIAN, decodeHexAddress, parseProcNetRow } from '../../common/proc-net.js';
import type { Family } from '../../shared/contract.js';
import { formatAddress } from '../../common/ip-text.js';

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

export { decodeHexAddress };

/** One data line of a /proc/net table, or null when it does not parse (counted by the caller). */
export function parseProcNetLine(line: string, proto: 'tcp' | 'udp', littleEndian = HOST_IS_LITTLE_ENDIAN): ProcSocket | null {
  const row = parseProcNetRow(line, littleEndian);
  if (row === null) return null;
  const local = formatAddress(row.local);
  const remote = formatAddress(row.remote);
  return {
    proto,
    family: local.family,
    localIp: local.ip,
    localPort: row.localPort,
    remoteIp: remote.ip,
    remotePort: row.remotePort,
    state: row.state,
    uid: row.uid,
    inode: row.inode,
  };
}

/** Parses a whole table (first line is the header). */
export function parseProcNet(text: string, proto: 'tcp' | 'udp', littleEndian = HOST_IS_LITTLE_ENDIAN): { sockets: ProcSocket[]; errors: number } {
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
