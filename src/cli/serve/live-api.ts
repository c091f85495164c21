// The WebSocket transport's request handling for `serve`: one WebRequest in, one result or error
// out. The call itself is checked and performed by the shared backend's callApi
// (src/core/app/api-call.ts), the same as over the desktop's IPC.

import { callApi, type ApiBackendCalls } from '../../core/app/api-call.js';
import type { WebMessage } from '../../shared/web-protocol.js';

export type ApiBackend = ApiBackendCalls;

/** Handles one WebSocket text message; null when nothing can be answered (no usable id). */
export async function handleWebRequest(backend: ApiBackend, raw: string): Promise<WebMessage | null> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null; // not JSON: no id to answer
  }
  if (typeof value !== 'object' || value === null) return null;
  const request = value as Record<string, unknown>;
  const id = typeof request.id === 'number' && Number.isSafeInteger(request.id) ? request.id : null;
  if (id === null) return null;
  try {
    const result = await callApi(backend, request.method, request.params ?? []);
    return { kind: 'result', id, result: result ?? null };
  } catch (error) {
    return { kind: 'error', id, message: error instanceof Error ? error.message : String(error) };
  }
}
