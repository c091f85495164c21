// Raw bytes to and from `snitchmap serve`, for requests a well-behaved client library refuses to
// send: invalid targets, WebSocket frames that break the protocol.

import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** Sends `request`, then (once the response head arrived) `afterHead`; resolves with every byte received until close. */
export function rawExchange(port: number, request: string, afterHead?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let sent = afterHead === undefined;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!sent && Buffer.concat(chunks).includes('\r\n\r\n')) {
        sent = true;
        socket.write(afterHead ?? Buffer.alloc(0));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(request);
  });
}

export function upgradeRequest(target: string, host: string, options: { origin?: string | null } = {}): string {
  const origin = options.origin === undefined ? `http://${host}` : options.origin;
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    ...(origin === null ? [] : [`Origin: ${origin}`]),
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
}

/** A masked client frame (RFC 6455 5.2); `announced` overrides the length field (oversized frames). */
export function clientFrame(opcode: number, payload: Buffer, announced = payload.length): Buffer {
  const mask = randomBytes(4);
  let head: Buffer;
  if (announced < 126) {
    head = Buffer.from([0x80 | opcode, 0x80 | announced]);
  } else if (announced < 0x10000) {
    head = Buffer.from([0x80 | opcode, 0x80 | 126, announced >> 8, announced & 0xff]);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(announced), 2);
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([head, mask, masked]);
}

export function authFrame(token: string): Buffer {
  return clientFrame(0x1, Buffer.from(JSON.stringify({ kind: 'auth', token })));
}

/** Status code of the server's close frame after the 101 head, or null if it sent none. */
export function closeCode(received: Buffer): number | null {
  let at = received.indexOf('\r\n\r\n') + 4;
  if (at < 4) return null;
  // Skip whole server frames (unmasked) until the close frame (opcode 8).
  while (at + 2 <= received.length) {
    const opcode = (received[at] ?? 0) & 0x0f;
    let length = (received[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = received.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(received.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 0x8) return length >= 2 ? received.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}
