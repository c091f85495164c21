// Validates one server frame before the transport acts on it. A frame from the server is still
// input: a malformed one is reported and dropped, never thrown into the page.

import type { WebMessage } from '../shared/web-protocol.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message, or a description of what is wrong with the frame. */
export function parseWebMessage(data: unknown): WebMessage | string {
  if (typeof data !== 'string') return 'non-text frame from snitchmap serve';
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return 'frame from snitchmap serve is not JSON';
  }
  if (!isRecord(value)) return 'frame from snitchmap serve is not an object';
  switch (value.kind) {
    case 'ready':
      return { kind: 'ready' };
    case 'result':
      if (typeof value.id === 'number') return { kind: 'result', id: value.id, result: value.result };
      break;
    case 'error':
      if (typeof value.id === 'number' && typeof value.message === 'string') {
        return { kind: 'error', id: value.id, message: value.message };
      }
      break;
    case 'delta':
      if (isRecord(value.delta) && Array.isArray(value.delta.events)) {
        return { kind: 'delta', delta: value.delta as unknown as Extract<WebMessage, { kind: 'delta' }>['delta'] };
      }
      break;
  }
  return `unexpected frame from snitchmap serve (kind ${JSON.stringify(value.kind)})`;
}
