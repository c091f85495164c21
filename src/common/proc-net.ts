// One row of /proc/net/{tcp,tcp6,udp,udp6}, decoded to bytes. Addresses are printed as 32-bit words
// in host byte order (%08X of a __be32 read as a native u32), so on little-endian machines each
// word's bytes are reversed; IPv6 is four such words. Shared by the engine's unprivileged /proc
// poller and the helper's /proc fallback; each turns the bytes into its own record shape.

export interface ProcNetRow {
  /** 4 bytes (IPv4 table) or 16 (IPv6 table), network order. */
  local: Uint8Array;
  localPort: number;
  remote: Uint8Array;
  remotePort: number;
  /** TCP state (st column); UDP shows 1 once connect()ed. */
  state: number;
  uid: number;
  inode: number;
}

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function decodeHexAddress(hex: string, littleEndian = HOST_IS_LITTLE_ENDIAN): Uint8Array | null {
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

function decodeEndpoint(text: string | undefined, littleEndian: boolean): { bytes: Uint8Array; port: number } | null {
  if (text === undefined) return null;
  const [hexIp, hexPort] = text.split(':');
  if (hexIp === undefined || hexPort === undefined || !/^[0-9A-Fa-f]{4}$/.test(hexPort)) return null;
  const bytes = decodeHexAddress(hexIp, littleEndian);
  return bytes === null ? null : { bytes, port: parseInt(hexPort, 16) };
}

/** One data line, or null when it does not parse (the caller counts or skips it). */
export function parseProcNetRow(line: string, littleEndian = HOST_IS_LITTLE_ENDIAN): ProcNetRow | null {
  const fields = line.trim().split(/\s+/);
  const local = decodeEndpoint(fields[1], littleEndian);
  const remote = decodeEndpoint(fields[2], littleEndian);
  const state = parseInt(fields[3] ?? '', 16);
  const uid = Number(fields[7]);
  const inode = Number(fields[9]);
  if (local === null || remote === null || !Number.isInteger(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) {
    return null;
  }
  return { local: local.bytes, localPort: local.port, remote: remote.bytes, remotePort: remote.port, state, uid, inode };
}
